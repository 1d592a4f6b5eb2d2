"""stubutil.py: what the loopback test servers share (standard library only)."""
import os


def publish_port(srv, port_file):
    """Write the server's port to port_file all at once (through a rename),
    so that a test waiting for the file never reads half of it."""
    tmp = port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, port_file)
