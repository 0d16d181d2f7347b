"""An HTTP/1.1 server on Python's http.server, for the client tests: prints its port, then serves.

GET /port answers with the client's port (to count connections), /chunked with a chunked body, /gzip with a
gzip-encoded one, /moved with a redirect to /port; POST and PUT echo the method and the body (Content-Length
or chunked). Python's handler answers `Expect: 100-continue` with `100 Continue` by itself.
"""
import gzip
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b""):
                        pass
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length", 0)))

    def do_GET(self):
        if self.path == "/port":
            return self.reply(200, str(self.client_address[1]).encode())
        if self.path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in (b"from ", b"python"):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
            return
        if self.path == "/gzip":
            return self.reply(200, gzip.compress(b"gzipped by python"), [("Content-Encoding", "gzip")])
        if self.path == "/moved":
            return self.reply(302, b"", [("Location", "/port")])
        self.reply(200, b"python says hi")

    do_HEAD = do_GET

    def do_POST(self):
        self.reply(200, self.command.encode() + b" " + self.read_body())

    do_PUT = do_POST


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
