# infra
resource "aws_instance" "web" {
  ami = var.ami
}
variable "ami" { type = string }
module "net" { source = "./net" }
output "ip" { value = aws_instance.web.public_ip }
