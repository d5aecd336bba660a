"""Business logic, kept out of views: operations flush, the request or command commits."""
