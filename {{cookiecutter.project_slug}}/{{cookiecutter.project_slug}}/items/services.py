"""Writes to items go through here, so every API version shares the same rules."""

from .models import Item


def create_item(*, owner, name, description=""):
    return Item.objects.create(owner=owner, name=name.strip(), description=description)


def update_item(item, **changes):
    for field, value in changes.items():
        setattr(item, field, value.strip() if field == "name" else value)
    item.save()
    return item
