"""The vendor clients as the bridge builds them (bridge.adapters.clients)."""

from __future__ import annotations

from google.auth.credentials import AnonymousCredentials

from bridge.adapters.clients import blogger_service, drive_service, gmail_service

ENDPOINT = "http://127.0.0.1:9"  # never contacted: only request objects are built


def test_each_collection_is_built_once_per_service() -> None:
    """Every Drive, Blogger or Gmail request would rebuild its collection's methods from the discovery document (CPU on every request)."""
    drive = drive_service(AnonymousCredentials(), ENDPOINT)
    blogger = blogger_service(AnonymousCredentials(), ENDPOINT)
    gmail = gmail_service(AnonymousCredentials(), ENDPOINT)

    assert drive.files() is drive.files()
    assert drive.permissions() is drive.permissions()
    assert blogger.posts() is blogger.posts()
    assert gmail.users().messages() is gmail.users().messages()
    assert drive_service(AnonymousCredentials(), ENDPOINT).files() is not drive.files()  # one per service


def test_a_collection_built_once_still_makes_each_request_afresh() -> None:
    """A second request on a cached collection would carry the first one's arguments."""
    files = drive_service(AnonymousCredentials(), ENDPOINT).files()

    first = files.get(fileId="a", fields="id")
    second = files.get(fileId="b", fields="name")

    assert first.uri == f"{ENDPOINT}/drive/v3/files/a?fields=id&alt=json"
    assert second.uri == f"{ENDPOINT}/drive/v3/files/b?fields=name&alt=json"
    assert blogger_service(AnonymousCredentials(), ENDPOINT).posts().list(blogId="1").uri == f"{ENDPOINT}/v3/blogs/1/posts?alt=json"
