from django.contrib.admin.apps import AdminConfig


class HomeroomAdminConfig(AdminConfig):
    """The Django admin on Homeroom's own site class (homeroom/web/admin_site.py)."""

    default_site = "homeroom.web.admin_site.HomeroomAdminSite"
