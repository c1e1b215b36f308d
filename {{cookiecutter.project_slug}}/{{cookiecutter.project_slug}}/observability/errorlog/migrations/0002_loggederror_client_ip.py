from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("errorlog", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="loggederror",
            name="client_ip",
            field=models.GenericIPAddressField(blank=True, null=True),
        ),
    ]
