from django.urls import path

from relais.demo import views

app_name = "demo"
urlpatterns = [
    path("", views.feed, name="feed"),
    path("demo/report", views.report, name="report"),
]
