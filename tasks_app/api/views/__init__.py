"""API views: thin viewsets that declare a selector, a serializer and a FilterSet, and call
the services for writes."""
