"""API serializers, one module per sub-domain. They validate and shape data; rules live in
the services."""
