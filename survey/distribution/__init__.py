"""Places, campaigns and the links that schools hand out."""
