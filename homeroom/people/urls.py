from django.urls import path

from .views import account, directory, imports, invitations

urlpatterns = [
    # Directory: lists and details, every one scoped by people/access.py.
    path("students/", directory.student_list, name="student_list"),
    path("students/<int:pk>/", directory.student_detail, name="student_detail"),
    path("sections/<int:pk>/", directory.section_detail, name="section_detail"),
    path("guardians/<int:pk>/", directory.guardian_detail, name="guardian_detail"),
    path("schools/<int:pk>/", directory.school_detail, name="school_detail"),
    # Invitations: staff invite families; families join by link or code.
    path("sections/<int:pk>/invite/", invitations.invite_section, name="invite_section"),
    path("schools/<int:pk>/invite/", invitations.invite_school, name="invite_school"),
    path("guardians/<int:pk>/invite/", invitations.invite_guardian, name="invite_guardian"),
    path("join/", invitations.join_by_code, name="join"),
    path("join/<str:token>/", invitations.accept, name="join_accept"),
    path("welcome/", invitations.preferences, name="family_preferences"),
    path("settings/", account.staff_preferences, name="staff_preferences"),
    path("account/", account.my_account, name="my_account"),
    # Roster imports (OneRoster 1.1 CSV).
    path("imports/", imports.import_list, name="import_list"),
    path("imports/new/", imports.import_upload, name="import_upload"),
    path("imports/<int:pk>/", imports.import_detail, name="import_detail"),
]
