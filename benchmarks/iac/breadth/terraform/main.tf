# Benchmark corpus (wasp benchmarks/iac): the resource types covered for FSBP breadth, the same resources as
# ../cloudformation/breadth.yaml, written as the AWS provider documents them.

variable "subnets" {
  type    = list(string)
  default = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]
}

variable "vpc" {
  type    = string
  default = "vpc-0a1b2c3d"
}

resource "aws_kms_key" "data" {
  enable_key_rotation = true
}

resource "aws_iam_role" "task" {
  name = "task"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ecs-tasks.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_ecs_task_definition" "app" {
  family       = "app"
  network_mode = "host"
  container_definitions = jsonencode([{
    name                   = "web"
    image                  = "nginx:latest"
    privileged             = true
    readonlyRootFilesystem = false
    environment            = [{ name = "AWS_SECRET_ACCESS_KEY", value = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" }]
  }])
}

resource "aws_ecs_task_definition" "safe" {
  family       = "safe"
  network_mode = "awsvpc"
  container_definitions = jsonencode([{
    name                   = "web"
    image                  = "nginx:1.27"
    privileged             = false
    readonlyRootFilesystem = true
    user                   = "1000"
    logConfiguration       = { logDriver = "awslogs", options = { "awslogs-group" = "/ecs/safe", "awslogs-region" = "us-east-1" } }
  }])
}

resource "aws_ecs_service" "app" {
  name            = "app"
  task_definition = aws_ecs_task_definition.safe.arn
  launch_type     = "FARGATE"
  network_configuration {
    assign_public_ip = true
    subnets          = var.subnets
  }
}

resource "aws_ecs_cluster" "app" {
  name = "app"
}

resource "aws_ecr_repository" "images" {
  name                 = "images"
  image_tag_mutability = "MUTABLE"
  image_scanning_configuration {
    scan_on_push = false
  }
}

resource "aws_ecr_repository" "safe_images" {
  name                 = "safe-images"
  image_tag_mutability = "IMMUTABLE"
  image_scanning_configuration {
    scan_on_push = true
  }
  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = aws_kms_key.data.arn
  }
}

resource "aws_ecr_lifecycle_policy" "safe_images" {
  repository = aws_ecr_repository.safe_images.name
  policy     = "{\"rules\":[{\"rulePriority\":1,\"selection\":{\"tagStatus\":\"untagged\",\"countType\":\"sinceImagePushed\",\"countUnit\":\"days\",\"countNumber\":14},\"action\":{\"type\":\"expire\"}}]}"
}

resource "aws_efs_file_system" "files" {
  encrypted = false
  tags      = { DataClassification = "confidential" }
}

resource "aws_efs_file_system" "safe_files" {
  encrypted  = true
  kms_key_id = aws_kms_key.data.arn
}

resource "aws_efs_backup_policy" "safe_files" {
  file_system_id = aws_efs_file_system.safe_files.id
  backup_policy {
    status = "ENABLED"
  }
}

resource "aws_elasticache_replication_group" "cache" {
  replication_group_id       = "cache"
  description                = "sessions"
  engine                     = "redis"
  node_type                  = "cache.t3.micro"
  num_cache_clusters         = 1
  at_rest_encryption_enabled = false
  transit_encryption_enabled = false
  automatic_failover_enabled = false
  snapshot_retention_limit   = 0
}

resource "aws_redshift_cluster" "warehouse" {
  cluster_identifier                  = "warehouse"
  cluster_type                        = "single-node"
  node_type                           = "dc2.large"
  database_name                       = "dev"
  master_username                     = "awsuser"
  manage_master_password              = true
  publicly_accessible                 = true
  encrypted                           = false
  automated_snapshot_retention_period = 0
  enhanced_vpc_routing                = false
}

resource "aws_opensearch_domain" "search" {
  domain_name    = "search"
  engine_version = "OpenSearch_2.11"
  encrypt_at_rest {
    enabled = false
  }
  node_to_node_encryption {
    enabled = false
  }
  domain_endpoint_options {
    enforce_https = false
  }
  access_policies = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = "*" }, Action = "es:*", Resource = "*" }]
  })
}

resource "aws_kinesis_stream" "stream" {
  name        = "stream"
  shard_count = 1
}

resource "aws_kinesis_stream" "safe_stream" {
  name            = "safe-stream"
  shard_count     = 1
  encryption_type = "KMS"
  kms_key_id      = aws_kms_key.data.arn
}

resource "aws_msk_cluster" "kafka" {
  cluster_name           = "events"
  kafka_version          = "3.5.1"
  number_of_broker_nodes = 2
  broker_node_group_info {
    instance_type  = "kafka.t3.small"
    client_subnets = var.subnets
  }
  encryption_info {
    encryption_in_transit {
      client_broker = "TLS_PLAINTEXT"
      in_cluster    = false
    }
  }
}

resource "aws_sagemaker_notebook_instance" "notebook" {
  name                   = "notebook"
  instance_type          = "ml.t3.medium"
  role_arn               = aws_iam_role.task.arn
  direct_internet_access = "Enabled"
  root_access            = "Enabled"
}

resource "aws_api_gateway_rest_api" "api" {
  name = "api"
}

resource "aws_api_gateway_stage" "prod" {
  rest_api_id          = aws_api_gateway_rest_api.api.id
  stage_name           = "prod"
  deployment_id        = "abc123"
  xray_tracing_enabled = false
}

resource "aws_lb" "balancer" {
  load_balancer_type         = "application"
  internal                   = false
  subnets                    = var.subnets
  drop_invalid_header_fields = false
  enable_deletion_protection = false
}

resource "aws_sfn_state_machine" "machine" {
  name       = "machine"
  role_arn   = aws_iam_role.task.arn
  definition = "{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Succeed\"}}}"
}

resource "aws_cognito_user_pool" "users" {
  name              = "users"
  mfa_configuration = "OFF"
}

resource "aws_launch_template" "launch" {
  name = "launch"
  metadata_options {
    http_tokens = "optional"
  }
  network_interfaces {
    device_index                = 0
    associate_public_ip_address = true
  }
}

resource "aws_vpc_endpoint" "endpoint" {
  vpc_id       = var.vpc
  service_name = "com.amazonaws.us-east-1.s3"
}

resource "aws_neptune_cluster" "graph" {
  storage_encrypted                   = false
  iam_database_authentication_enabled = false
  backup_retention_period             = 1
  deletion_protection                 = false
}

resource "aws_docdb_cluster" "docs" {
  master_username         = "docs"
  manage_master_user_password = true
  storage_encrypted       = false
  backup_retention_period = 1
  deletion_protection     = false
}

resource "aws_dms_replication_instance" "migration" {
  replication_instance_id    = "migration"
  replication_instance_class = "dms.t3.micro"
  publicly_accessible        = true
  auto_minor_version_upgrade = false
}

resource "aws_appsync_graphql_api" "graphql" {
  name                = "graphql"
  authentication_type = "API_KEY"
}

resource "aws_wafv2_web_acl" "edge" {
  name  = "edge"
  scope = "REGIONAL"
  default_action {
    allow {}
  }
  visibility_config {
    sampled_requests_enabled   = false
    cloudwatch_metrics_enabled = false
    metric_name                = "edge"
  }
}
