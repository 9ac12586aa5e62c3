"""Decoder bombs, made on the spot: small or ordinary-looking files that decode into far more than they say.

Each generator rebuilds one attack reported in issue #12, byte by byte, so the tests need no big files in the
repository. They are also seeds for the media fuzzer (``tests/hashing/fuzz_media.py``).
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

from PIL import Image

__all__ = ["blank_png", "gif_canvas_bomb", "h264_mp4", "jpeg_metadata_bomb", "mjpeg_avi_lying_header", "png_rgba_bomb",
           "uniform_jpeg"]


def gif_canvas_bomb(frames: int, side: int = 10_000) -> bytes:
    """A GIF whose ``frames`` frames each paint one pixel on a ``side x side`` canvas (about 23 bytes a frame).

    Every frame is decoded onto the whole canvas, so 100 frames on 10,000 x 10,000 are 10 gigapixels of work.
    """
    out = bytearray(b"GIF89a" + struct.pack("<HHBBB", side, side, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff")
    for index in range(frames):
        out += b"\x21\xf9\x04\x00\x0a\x00\x00\x00"  # graphic control: 100 ms, no disposal
        x, y = (index * 97) % side, (index * 89) % side
        out += b"\x2c" + struct.pack("<HHHHB", x, y, 1, 1, 0)
        # LZW, minimum code size 2, 3-bit codes: clear (4), the pixel (0 or 1), end (5).
        pixel = index % 2
        codes = 4 | (pixel << 3) | (5 << 6)
        out += b"\x02\x02" + codes.to_bytes(2, "little") + b"\x00"
    out += b"\x3b"
    return bytes(out)


def png_rgba_bomb(path: Path, side: int = 13_300) -> Path:
    """A ``side x side`` transparent RGBA PNG: 688 KB on disk at 13,300, 707 MB once decoded."""
    return blank_png(path, side, side, "RGBA")


def blank_png(path: Path, width: int, height: int, mode: str = "RGB") -> Path:
    """A black PNG of any size (``mode`` L, RGB or RGBA), written row by row in constant memory."""
    channels, colour_type = {"L": (1, 0), "RGB": (3, 2), "RGBA": (4, 6)}[mode]
    row = b"\x00" + bytes(channels * width)  # filter byte "none", then black (transparent) pixels
    compressor = zlib.compressobj(9)
    chunks = [compressor.compress(row) for _ in range(height)]
    chunks.append(compressor.flush())
    with path.open("wb") as out:
        out.write(b"\x89PNG\r\n\x1a\n")
        out.write(_png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)))
        out.write(_png_chunk(b"IDAT", b"".join(chunks)))
        out.write(_png_chunk(b"IEND", b""))
    return path


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def jpeg_metadata_bomb(path: Path, metadata_bytes: int) -> Path:
    """A small, valid JPEG carrying ``metadata_bytes`` of APP15 segments (65,533 bytes each) before its picture."""
    picture = io.BytesIO()
    Image.new("L", (64, 64), 128).save(picture, "JPEG")
    jpeg = picture.getvalue()
    segment = b"\xff\xef" + struct.pack(">H", 65_535) + bytes(65_533)
    with path.open("wb") as out:
        out.write(jpeg[:2])
        for _ in range(-(-metadata_bytes // 65_533)):
            out.write(segment)
        out.write(jpeg[2:])
    return path


def uniform_jpeg(width: int, height: int) -> bytes:
    """A valid greyscale baseline JPEG of any size up to 65,535 square, at 6 bits per 8x8 block.

    Every block is mid grey: DC difference 0 (code ``00``) then end-of-block (``1010``) with libjpeg's standard
    tables, so four blocks pack into exactly three bytes. A 16,000 x 16,000 picture is 3 MB.
    """
    sample = io.BytesIO()
    Image.new("L", (8, 8), 128).save(sample, "JPEG", quality=50)
    tables = _segments(sample.getvalue(), keep=(0xDB, 0xC4))  # quantisation and Huffman tables
    blocks = -(-width // 8) * -(-height // 8)
    scan = b"\x28\xa2\x8a" * (-(-blocks // 4))
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    sos = b"\xff\xda" + struct.pack(">HB", 8, 1) + b"\x01\x00" + b"\x00\x3f\x00"
    return b"\xff\xd8" + tables + sof + sos + scan + b"\xff\xd9"


def _segments(jpeg: bytes, keep: tuple[int, ...]) -> bytes:
    """The marker segments of ``jpeg`` (before its scan) whose marker is in ``keep``, in order."""
    found = bytearray()
    offset = 2
    while offset + 4 <= len(jpeg) and jpeg[offset + 1] != 0xDA:
        length = struct.unpack(">H", jpeg[offset + 2 : offset + 4])[0]
        if jpeg[offset + 1] in keep:
            found += jpeg[offset : offset + 2 + length]
        offset += 2 + length
    return bytes(found)


def mjpeg_avi_lying_header(path: Path, frames: int, real: tuple[int, int], claimed: tuple[int, int] = (320, 240),
                           fps: int = 10) -> Path:
    """An MJPEG AVI whose headers say ``claimed`` (width, height): its first frame is that size, every later one
    a ``real``-sized JPEG. Decoders learn a stream's size from its first frame, so only decoding tells the truth.
    """
    first, later = uniform_jpeg(*claimed), uniform_jpeg(*real)
    first += b"\x00" * (len(first) % 2)
    later += b"\x00" * (len(later) % 2)
    pictures = [first] + [later] * (frames - 1)
    width, height = claimed
    biggest = max(len(first), len(later))
    avih = struct.pack("<10I4I", 1_000_000 // fps, biggest * fps, 0, 0x10, frames, 0, 1, biggest, width, height,
                       0, 0, 0, 0)
    strh = b"vidsMJPG" + struct.pack("<IHHIIIIIIIIhhhh", 0, 0, 0, 0, 1, fps, 0, frames, biggest, 0xFFFFFFFF, 0,
                                     0, 0, width, height)
    strf = struct.pack("<IiiHH4sIiiII", 40, width, height, 1, 24, b"MJPG", width * height * 3, 0, 0, 0, 0)
    strl = _list(b"strl", _chunk(b"strh", strh) + _chunk(b"strf", strf))
    hdrl = _list(b"hdrl", _chunk(b"avih", avih) + strl)
    index, offset = bytearray(), 4
    for picture in pictures:
        index += struct.pack("<4sIII", b"00dc", 0x10, offset, len(picture))
        offset += 8 + len(picture)
    with path.open("wb") as out:
        movi_size = offset
        riff_size = 4 + len(hdrl) + 8 + movi_size + 8 + len(index)
        out.write(b"RIFF" + struct.pack("<I", riff_size) + b"AVI " + hdrl)
        out.write(b"LIST" + struct.pack("<I", movi_size) + b"movi")
        for picture in pictures:
            out.write(_chunk(b"00dc", picture))
        out.write(_chunk(b"idx1", bytes(index)))
    return path


def _chunk(kind: bytes, data: bytes) -> bytes:
    return kind + struct.pack("<I", len(data)) + data + (b"\x00" if len(data) % 2 else b"")


def _list(kind: bytes, data: bytes) -> bytes:
    return b"LIST" + struct.pack("<I", 4 + len(data)) + kind + data


def h264_mp4(path: Path, width: int, height: int, frames: int = 1) -> Path:
    """An ordinary H.264 MP4 of flat grey frames (x264, through PyAV): about 0.3 MB per frame even at 72 megapixels."""
    import av
    import numpy as np

    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=10, options={"preset": "ultrafast"})
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for index in range(frames):
            picture = av.VideoFrame.from_ndarray(np.full((height, width, 3), 40 * index, np.uint8), format="rgb24")
            container.mux(stream.encode(picture))
        container.mux(stream.encode())
    return path
