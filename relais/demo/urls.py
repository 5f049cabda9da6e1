from django.urls import path

from relais.demo import views

app_name = "demo"
urlpatterns = [
    path("", views.feed, name="feed"),
    path("demo/report", views.report, name="report"),
    path("demo/share", views.share, name="share"),
    path("demo/share/withdraw", views.withdraw, name="withdraw"),
]
