db_password = "Sup3rSecretPassw0rd!"
