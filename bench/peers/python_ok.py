"""Conformance peer: Python's http.server answering 200 after reading a Content-Length body."""
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


class Ok(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    do_POST = do_GET

    def log_message(self, format, *args):
        pass


HTTPServer(("127.0.0.1", int(sys.argv[1])), Ok).serve_forever()
