BASE_TAGS = {"owner": "vision", "cost-center": "cv-100", "environment": "prod", "data-classification": "confidential"}
