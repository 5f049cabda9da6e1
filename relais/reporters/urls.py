from django.urls import path

from relais.reporters import views

app_name = "reporters"
urlpatterns = [
    path("<str:token>", views.page, name="page"),
    path("<str:token>/pack.pdf", views.pack, name="pack"),
]
