from rest_framework import permissions, viewsets

from ...items import services
from ...items.models import Item
from ..permissions import IsOwnerOrReadOnly
from .serializers import ItemSerializer


class ItemViewSet(viewsets.ModelViewSet):
    """Items: anyone can list and read them; signed-in users create theirs and edit their own."""

    queryset = Item.objects.select_related("owner")
    serializer_class = ItemSerializer
    permission_classes = [permissions.IsAuthenticatedOrReadOnly, IsOwnerOrReadOnly]
    throttle_scope = "items"  # feature: throttling

    def perform_create(self, serializer):
        serializer.instance = services.create_item(
            owner=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        services.update_item(serializer.instance, **serializer.validated_data)
