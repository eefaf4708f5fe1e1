"""Checking uploads by their content, never by their name (DESIGN §8)."""
import warnings
from dataclasses import dataclass
from typing import BinaryIO

from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError

#: the largest evidence file accepted
MAX_BYTES = 20 * 1024 * 1024
#: images above this many pixels are refused before decoding (decompression bombs)
MAX_PIXELS = 60_000_000

#: content type by signature; only these are accepted
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


class UploadRefused(ValueError):
    pass


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    size: int


def _size(stream: BinaryIO) -> int:
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    return size


def check_upload(stream: BinaryIO, filename: str) -> CheckedUpload:
    """The upload's real type, or UploadRefused with a message a clerk understands."""
    size = _size(stream)
    if size == 0:
        raise UploadRefused(_("文件“%(name)s”是空的", name=filename))
    if size > MAX_BYTES:
        raise UploadRefused(_("文件“%(name)s”超过 20 MB", name=filename))
    head = stream.read(8)
    stream.seek(0)
    if head.startswith(b"%PDF-"):
        if not _pdf_complete(stream, size):
            _refuse(_("文件“%(name)s”不是完整的 PDF 文件", name=filename))
        return CheckedUpload("application/pdf", size)
    return CheckedUpload(_image_type(stream, filename), size)


def _pdf_complete(stream: BinaryIO, size: int) -> bool:
    stream.seek(max(0, size - 2048))
    tail = stream.read()
    stream.seek(0)
    return b"%%EOF" in tail


def _image_type(stream: BinaryIO, filename: str) -> str:
    try:
        with warnings.catch_warnings():
            # Pillow warns, then fails, on huge images: both are a refusal here
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(stream)
        with image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                _refuse(_("图片“%(name)s”像素过大，请压缩后再上传", name=filename))
            kind = image.format
            image.verify()  # reads the whole file: truncated or corrupt images fail here
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        _refuse(_("图片“%(name)s”像素过大，请压缩后再上传", name=filename))
    except (UnidentifiedImageError, OSError, SyntaxError):
        _refuse(_("文件“%(name)s”不是可识别的照片或 PDF 文件（支持 JPEG、PNG、WebP、PDF）",
                  name=filename))
    finally:
        stream.seek(0)
    if kind not in IMAGE_FORMATS:
        _refuse(_("文件“%(name)s”的格式不受支持（支持 JPEG、PNG、WebP、PDF）", name=filename))
    return IMAGE_FORMATS[kind]


def _refuse(message: str):
    raise UploadRefused(message)
