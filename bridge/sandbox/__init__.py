"""Local stand-in for Google Sheets v4, Blogger v3 and Drive v3 (one HTTP server, one port).

The real client libraries (gspread, google-api-python-client) talk to it unchanged;
see :mod:`bridge.sandbox.server` for the server and :mod:`bridge.sandbox.state`
for the state JSON format.
"""
