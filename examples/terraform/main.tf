# A small web application (deliberately insecure, for wasp's examples and tests): VPC, web instance,
# buckets, database, roles, keys, trail. Do not apply.

locals {
  name = "${var.env}-webapp"
  tags = { Environment = var.env, Application = "webapp" }
}

data "aws_caller_identity" "current" {}

module "network" {
  source = "./modules/network"
  name   = "${local.name}-vpc"
  cidr   = "10.0.0.0/16"
}

resource "aws_security_group" "web" {
  name        = "${local.name}-web"
  description = "web tier"
  vpc_id      = module.network.vpc_id

  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  ingress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_vpc_security_group_ingress_rule" "ssh" {
  security_group_id = aws_security_group.web.id
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_ipv4         = var.admin_cidr
}

resource "aws_iam_role" "web" {
  name = "${var.env}-web"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "everything" {
  name = "everything"
  role = aws_iam_role.web.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}

data "aws_iam_policy_document" "vendor_trust" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
  }
}

resource "aws_iam_role" "vendor" {
  name               = "vendor-access"
  assume_role_policy = data.aws_iam_policy_document.vendor_trust.json
}

resource "aws_iam_user" "deployer" {
  name = "deployer"
}

resource "aws_iam_user_policy" "deploy" {
  name = "deploy"
  user = aws_iam_user.deployer.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["iam:CreatePolicyVersion", "iam:PassRole", "ec2:RunInstances"]
      Resource = "*"
    }]
  })
}

resource "aws_iam_instance_profile" "web" {
  name = "${var.env}-web"
  role = aws_iam_role.web.name
}

resource "aws_instance" "web" {
  ami                    = "ami-0abcdef1234567890"
  instance_type          = "t3.micro"
  subnet_id              = module.network.subnet_id
  vpc_security_group_ids = [aws_security_group.web.id]
  iam_instance_profile   = aws_iam_instance_profile.web.name

  metadata_options {
    http_tokens   = "optional"
    http_endpoint = "enabled"
  }

  user_data = <<-EOT
    #!/bin/bash
    export DB_HOST=${aws_db_instance.main.address}
    export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
    export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
  EOT
}

resource "aws_kms_key" "data" {
  description         = "application data"
  enable_key_rotation = false
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "root"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      { Sid = "everyone-decrypts", Effect = "Allow", Principal = "*", Action = "kms:Decrypt", Resource = "*" },
    ]
  })
}

resource "aws_s3_bucket" "assets" {
  bucket = "${var.env}-webapp-assets"
  tags   = { data-classification = "public" }
}

resource "aws_s3_bucket_acl" "assets" {
  bucket = aws_s3_bucket.assets.id
  acl    = "public-read"
}

resource "aws_s3_bucket_policy" "assets" {
  bucket = aws_s3_bucket.assets.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = ["s3:GetObject", "s3:PutObject"]
      Resource  = "${aws_s3_bucket.assets.arn}/*"
    }]
  })
}

# wasp:skip=s3_bucket_access_logging reason="this is the access-log target; logging it would loop"
# wasp:skip=s3_bucket_classification_tag
resource "aws_s3_bucket" "logs" {
  bucket = "${var.env}-webapp-logs"
}

resource "aws_s3_bucket_versioning" "logs" {
  bucket = aws_s3_bucket.logs.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }
  }
}

resource "aws_s3_bucket_public_access_block" "logs" {
  bucket                  = aws_s3_bucket.logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_policy" "logs" {
  bucket = aws_s3_bucket.logs.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "tls-only"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.logs.arn, "${aws_s3_bucket.logs.arn}/*"]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
      {
        Sid       = "trail"
        Effect    = "Allow"
        Principal = { Service = "cloudtrail.amazonaws.com" }
        Action    = "s3:PutObject"
        Resource  = "${aws_s3_bucket.logs.arn}/AWSLogs/*"
      },
    ]
  })
}

resource "aws_s3_bucket" "app" {
  for_each = var.app_buckets
  bucket   = "${local.name}-${each.key}"
  tags     = merge(local.tags, { DataClassification = "internal" })
}

resource "aws_cloudtrail" "main" {
  name                       = "${var.env}-trail"
  s3_bucket_name             = aws_s3_bucket.logs.id
  is_multi_region_trail      = var.env == "prod"
  enable_log_file_validation = false
}

resource "aws_cloudwatch_log_group" "app" {
  name = "/webapp/app"
}

resource "aws_db_instance" "main" {
  identifier              = "${local.name}-db"
  engine                  = "postgres"
  instance_class          = "db.t3.micro"
  allocated_storage       = 20
  username                = "app"
  password                = var.db_password
  publicly_accessible     = true
  storage_encrypted       = false
  backup_retention_period = 0
  deletion_protection     = false
}

resource "aws_dynamodb_table" "sessions" {
  name         = "sessions"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"
  attribute {
    name = "id"
    type = "S"
  }
}

resource "aws_sns_topic" "alerts" {
  name = "webapp-alerts"
}

resource "aws_sqs_queue" "jobs" {
  name                    = "webapp-jobs"
  sqs_managed_sse_enabled = false
}

resource "aws_sqs_queue_policy" "jobs" {
  queue_url = aws_sqs_queue.jobs.url
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = "*", Action = "sqs:SendMessage", Resource = aws_sqs_queue.jobs.arn }]
  })
}

resource "aws_secretsmanager_secret" "api" {
  name = "webapp/api"
}

resource "aws_lambda_function" "thumbnailer" {
  function_name = "thumbnailer"
  runtime       = "python3.12"
  handler       = "app.handler"
  role          = aws_iam_role.web.arn
  filename      = "thumbnailer.zip"
  environment {
    variables = {
      STRIPE_API_KEY = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
      BUCKET         = aws_s3_bucket.assets.id
    }
  }
}
