"""Build the vendor clients, pointed at real Google or at the sandbox.

gspread's URLs are constants, so the sandbox is reached through its
``session=`` hook: a session that rewrites Google's hosts to the endpoint.
google-api-python-client is built from the discovery documents it ships
(no network fetch) with ``client_options.api_endpoint`` for the sandbox.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

import gspread
import httplib2
from google.auth.credentials import Credentials
from google.auth.transport.requests import AuthorizedSession
from google_auth_httplib2 import AuthorizedHttp
from googleapiclient.discovery import build

GOOGLE_HOSTS = ("https://sheets.googleapis.com", "https://www.googleapis.com")
HTTP_TIMEOUT = 60.0

#: Receives each answer's ``Date`` header (see :mod:`bridge.adapters.google_time`).
Observe = Callable[[Any], None]


class EndpointSession(AuthorizedSession):
    """An authorized requests session that sends Google-bound requests to ``endpoint``."""

    def __init__(self, credentials: Credentials, endpoint: str = "", timeout: float = HTTP_TIMEOUT,
                 observe: Observe | None = None) -> None:
        super().__init__(credentials)
        self.endpoint = endpoint.rstrip("/")
        self.default_timeout = timeout
        self.observe = observe

    # requests.Session.request spells out every keyword; ours passes them through unchanged
    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if self.endpoint:
            for host in GOOGLE_HOSTS:
                if url.startswith(host):
                    url = self.endpoint + url[len(host):]
                    break
        if kwargs.get("timeout") is None:  # gspread passes timeout=None explicitly: never wait forever
            kwargs["timeout"] = self.default_timeout
        response = super().request(method, url, *args, **kwargs)
        if self.observe is not None:
            self.observe(response.headers.get("Date"))
        return response


def sheets_client(credentials: Credentials, endpoint: str = "", observe: Observe | None = None) -> gspread.Client:
    """A gspread client (plain HTTPClient: no BackOffHTTPClient; we retry ourselves)."""
    session = EndpointSession(credentials, endpoint, observe=observe)
    # gspread types auth as Credentials; with a session of our own (which carries them) it is not used
    client = gspread.Client(auth=None, session=session)  # type: ignore[arg-type]
    client.set_timeout(HTTP_TIMEOUT)
    return client


class EndpointHttp(httplib2.Http):
    """httplib2 that keeps the endpoint's scheme.

    googleapiclient points media-upload URLs at ``api_endpoint`` by swapping only
    the host (``_fix_up_media_path_base_url``), so an ``http://`` sandbox would
    receive ``https://`` uploads. This puts the endpoint's scheme back.
    """

    def __init__(self, endpoint: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        parsed = urlparse(endpoint)
        self._https_prefix = f"https://{parsed.netloc}/"
        self._real_prefix = f"{parsed.scheme}://{parsed.netloc}/"

    def request(self, uri: str, *args: Any, **kwargs: Any) -> Any:
        if uri.startswith(self._https_prefix):
            uri = self._real_prefix + uri[len(self._https_prefix):]
        return super().request(uri, *args, **kwargs)


def _http(credentials: Credentials, endpoint: str = "", observe: Observe | None = None) -> AuthorizedHttp:
    timeout = int(HTTP_TIMEOUT)
    http = EndpointHttp(endpoint, timeout=timeout) if endpoint.startswith("http://") else httplib2.Http(timeout=timeout)
    if observe is not None:
        real = http.request

        def request(*args: Any, **kwargs: Any) -> Any:
            response, content = real(*args, **kwargs)
            observe(response.get("date"))  # httplib2 keys headers in lower case
            return response, content

        http.request = request  # type: ignore[method-assign]  # this one client's requests are observed
    return AuthorizedHttp(credentials, http=http)


def collections_built_once(resource: Any) -> Any:
    """``resource`` with each collection (``files()``, ``posts()``, ``users().messages()``) built once.

    google-api-python-client builds a new collection object, with every one of its methods made
    from the discovery document, on each call of ``service.files()``: 7 ms on average in the suite's
    profile (issue 22), paid again on every request and every retry. The objects
    hold nothing of a request (the HTTP client and URLs are the service's), so one per collection
    serves every request. A collection method is the one googleapiclient marks
    ``__is_resource__`` (``discovery._add_nested_resources``).
    """
    for name, method in list(vars(resource).items()):
        if callable(method) and getattr(method, "__is_resource__", False):
            setattr(resource, name, functools.cache(lambda method=method: collections_built_once(method())))
    return resource


def blogger_service(credentials: Credentials, endpoint: str = "", observe: Observe | None = None) -> Any:
    """Blogger v3 from the bundled discovery document."""
    options = {"api_endpoint": endpoint.rstrip("/") + "/"} if endpoint else None
    return collections_built_once(build(
        "blogger", "v3", http=_http(credentials, endpoint, observe), static_discovery=True, cache_discovery=False,
        client_options=options,
    ))


def drive_service(credentials: Credentials, endpoint: str = "", observe: Observe | None = None) -> Any:
    """Drive v3 from the bundled discovery document."""
    options = {"api_endpoint": endpoint.rstrip("/") + "/drive/v3/"} if endpoint else None
    return collections_built_once(build(
        "drive", "v3", http=_http(credentials, endpoint, observe), static_discovery=True, cache_discovery=False,
        client_options=options,
    ))


def gmail_service(credentials: Credentials, endpoint: str = "") -> Any:
    """Gmail v1 from the bundled discovery document (only ``users.messages.send`` is used)."""
    options = {"api_endpoint": endpoint.rstrip("/") + "/"} if endpoint else None
    return collections_built_once(build(
        "gmail", "v1", http=_http(credentials, endpoint), static_discovery=True, cache_discovery=False,
        client_options=options,
    ))
