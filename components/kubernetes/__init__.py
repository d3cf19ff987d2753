"""components/kubernetes."""
