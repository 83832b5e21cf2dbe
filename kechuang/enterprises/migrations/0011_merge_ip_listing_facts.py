"""Joins the two additions of session 5: the IP valuation facts and the listing facts."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0010_ip_valuation_facts"),
        ("enterprises", "0010_listing_facts"),
    ]
    operations = []
