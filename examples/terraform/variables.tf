variable "env" {
  type    = string
  default = "prod"
}

variable "admin_cidr" {
  type    = string
  default = "0.0.0.0/0"
}

variable "db_password" {
  type      = string
  sensitive = true
  default   = "Sup3rSecretPassw0rd!"
}

variable "app_buckets" {
  type    = set(string)
  default = ["uploads", "reports"]
}
