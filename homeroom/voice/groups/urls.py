from django.urls import path

from . import views

app_name = "groups"

urlpatterns = [
    path("", views.group_list, name="list"),
    path("new/", views.group_new, name="new"),
    path("<int:pk>/", views.group_detail, name="detail"),
    path("<int:pk>/join/", views.group_join, name="join"),
    path("<int:pk>/leave/", views.group_leave, name="leave"),
    path("<int:pk>/leaders/", views.group_leaders, name="leaders"),
    path("<int:pk>/leaders/remove/", views.leader_remove, name="leader_remove"),
    path("<int:pk>/members/", views.group_members, name="members"),
    path("<int:pk>/posts/", views.post_create, name="post"),
    path("<int:pk>/posts/<int:post_pk>/hide/", views.post_hide, name="post_hide"),
    path("<int:pk>/topics/", views.topic_propose, name="topic"),
    path("<int:pk>/topics/<int:topic_pk>/vote/", views.topic_vote, name="vote"),
    path("<int:pk>/topics/<int:topic_pk>/pick/", views.topic_pick, name="pick"),
    path("<int:pk>/sessions/new/", views.session_new, name="session_new"),
]
