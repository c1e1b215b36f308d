from django.urls import path
from rest_framework.routers import DefaultRouter

from ...accounts.views import CurrentUserView
from .views import ItemViewSet

router = DefaultRouter()
router.register("items", ItemViewSet, basename="item")

urlpatterns = [
    path("users/me/", CurrentUserView.as_view(), name="user-me"),
    *router.urls,
]
