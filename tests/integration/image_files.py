"""Real images for the storage image-transform suites: a PNG written here
(zlib), a JPEG encoded by libvips through ctypes (the Debian library the
stack links), and decoders of the headers of PNG (with its pixel data
inflated and sized), JPEG, WebP and AVIF that give (format, width, height)."""
import ctypes
import struct
import zlib


def png(w, h, flat=False):
    """A w x h RGB gradient as PNG (flat: one colour, a few kB at any size)."""
    rows = []
    for y in range(h):
        if flat:
            rows.append(b"\x00" + b"\x40\x80\xc0" * w)
            continue
        row = bytearray(b"\x00")
        for x in range(w):
            row += bytes((x * 255 // max(w - 1, 1), y * 255 // max(h - 1, 1), (x ^ y) & 255))
        rows.append(bytes(row))

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b""))


def jpeg(w, h):
    """The same gradient as JPEG, encoded by libvips."""
    vips = ctypes.CDLL("libvips.so.42")
    if vips.vips_init(b"pgstack-test") != 0:
        raise RuntimeError("libvips did not start")
    data = png(w, h)
    vips.vips_image_new_from_buffer.restype = ctypes.c_void_p
    img = vips.vips_image_new_from_buffer(data, ctypes.c_size_t(len(data)), b"", None)
    out, size = ctypes.c_void_p(), ctypes.c_size_t()
    rc = vips.vips_image_write_to_buffer(ctypes.c_void_p(img), b".jpg[Q=90]", ctypes.byref(out),
                                         ctypes.byref(size), None)
    if rc != 0:
        raise RuntimeError("libvips could not encode JPEG")
    result = ctypes.string_at(out, size.value)
    ctypes.CDLL("libglib-2.0.so.0").g_free(out)
    ctypes.CDLL("libgobject-2.0.so.0").g_object_unref(ctypes.c_void_p(img))
    return result


def _png_dims(data):
    w, h, depth, color = struct.unpack(">IIBB", data[16:26])
    pos, idat = 8, b""
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + n]
        pos += 12 + n
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color]
    expect = h * (1 + (w * channels * depth + 7) // 8)
    if len(zlib.decompress(idat)) != expect:
        raise ValueError("PNG pixel data does not match its size")
    return "png", w, h


def _jpeg_dims(data):
    pos = 2
    while pos < len(data):
        marker, n = data[pos + 1], struct.unpack(">H", data[pos + 2:pos + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            h, w = struct.unpack(">HH", data[pos + 5:pos + 9])
            return "jpeg", w, h
        pos += 2 + n
    raise ValueError("no JPEG frame header")


def _webp_dims(data):
    kind = data[12:16]
    if kind == b"VP8 ":
        w, h = struct.unpack("<HH", data[26:30])
        return "webp", w & 0x3FFF, h & 0x3FFF
    if kind == b"VP8L":
        b = struct.unpack("<I", data[21:25])[0]
        return "webp", (b & 0x3FFF) + 1, ((b >> 14) & 0x3FFF) + 1
    if kind == b"VP8X":
        w = int.from_bytes(data[24:27], "little") + 1
        h = int.from_bytes(data[27:30], "little") + 1
        return "webp", w, h
    raise ValueError("unknown WebP chunk")


def _avif_dims(data):
    at = data.find(b"ispe")
    if at < 0:
        raise ValueError("no ispe box")
    w, h = struct.unpack(">II", data[at + 8:at + 16])
    return "avif", w, h


def dims(data):
    """(format, width, height) of an encoded image; ValueError when unknown."""
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return _png_dims(data)
    if data[:2] == b"\xff\xd8":
        return _jpeg_dims(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp_dims(data)
    if data[4:8] == b"ftyp" and b"avif" in data[8:32]:
        return _avif_dims(data)
    raise ValueError("not an image: %r" % data[:16])
