"""The desk's pages: asking (everyone) and the inbox (desk staff); registered by learning.desk.init_app."""
