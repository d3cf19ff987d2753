"""components/aws."""
