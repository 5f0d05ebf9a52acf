from django.contrib.auth.hashers import make_password


def register(request):
    password = request.POST.get("pass")
    # ruleid: python-plaintext-password-storage
    login.objects.create(user=request.POST["name"], password=password)
    # ok: python-plaintext-password-storage
    login.objects.create(user=request.POST["name"], password=make_password(password))
    # ok: python-plaintext-password-storage
    User.objects.create_user(request.POST["name"], password=password)


def change(request, user):
    # ruleid: python-plaintext-password-storage
    user.password = request.POST["new_password"]
    user.save()


def seed(user, default_password):
    # ok: python-plaintext-password-storage
    user.password = default_password
