from axes.backends import AxesStandaloneBackend


class LoginLockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout, for logins that come from a web request.

    authenticate() without a request (a management command, the test client's login())
    is not an attempt from a client, so there is nothing to count or lock.
    """

    def authenticate(self, request=None, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
