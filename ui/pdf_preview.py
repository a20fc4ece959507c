"""Showing and printing PDF pages without QtPdf (absent from PySide6-Essentials).

Pages are rendered by pypdfium2 into QImages: on screen, only the pages
scrolled into view (a 200-page grid opens at once); on a printer, one page
at a time at the printer's resolution.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pypdfium2 as pdfium  # type: ignore[import-untyped]
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QImage, QPainter, QPixmap, QResizeEvent, QShowEvent
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from coopfood.i18n import _

#: Screen zoom: 1.0 draws an A4 page 595 pixels wide.
DEFAULT_ZOOM = 1.25
#: The printer resolution pages are rendered at, at most (enough for 7-point text).
PRINT_MAX_DPI = 300


def render_page(page: pdfium.PdfPage, scale: float) -> QImage:
    """A page as an opaque RGB32 image, `scale` pixels per PDF point."""
    bitmap = page.render(scale=scale, prefer_bgrx=True)
    image = QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride,
                   QImage.Format.Format_RGB32 if bitmap.n_channels == 4
                   else QImage.Format.Format_BGR888)
    return image.copy()  # the bitmap's memory goes away with it


class PdfPreview(QScrollArea):
    """The pages of one PDF, one under the other, rendered when they come into view."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self._document: pdfium.PdfDocument | None = None
        self._labels: list[QLabel] = []
        self._rendered: set[int] = set()
        self.zoom = DEFAULT_ZOOM
        self._pages = QWidget()
        self._layout = QVBoxLayout(self._pages)
        self._layout.setSpacing(12)
        self._layout.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.setWidget(self._pages)
        self.setBackgroundRole(self.backgroundRole())
        self._pages.setStyleSheet("background: #808080;")
        self.verticalScrollBar().valueChanged.connect(self._render_visible)
        # The open document is closed with the widget (pdfium keeps the file open).
        holder = self._open = [None]  # type: list[pdfium.PdfDocument | None]
        self.destroyed.connect(lambda *_a: holder[0] is not None and holder[0].close())

    @property
    def page_count(self) -> int:
        return len(self._labels)

    def rendered_pages(self) -> set[int]:
        return set(self._rendered)

    def clear(self) -> None:
        for label in self._labels:
            self._layout.removeWidget(label)
            label.deleteLater()
        self._labels = []
        self._rendered = set()
        if self._document is not None:
            self._document.close()
            self._document = None
            self._open[0] = None

    def show_pdf(self, path: Path) -> None:
        self.clear()
        self._document = pdfium.PdfDocument(str(path))
        self._open[0] = self._document
        for index in range(len(self._document)):
            width, height = self._document[index].get_size()
            label = QLabel()
            label.setFrameShape(QFrame.Shape.Box)
            label.setFixedSize(QSize(round(width * self.zoom), round(height * self.zoom)))
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setText(_("Page {n}").format(n=index + 1))
            label.setStyleSheet("background: white; color: #999;")
            label.setAccessibleName(_("Page {n}").format(n=index + 1))
            self._layout.addWidget(label)
            self._labels.append(label)
        self.verticalScrollBar().setValue(0)
        self._render_visible()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._render_visible()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._render_visible()

    def _render_visible(self, *_args: object) -> None:
        if self._document is None:
            return
        self._pages.adjustSize()
        top = self.verticalScrollBar().value()
        view = QRect(0, top, self.viewport().width(), max(self.viewport().height(), 1))
        for index, label in enumerate(self._labels):
            if index in self._rendered:
                continue
            if label.geometry().intersects(view) or (index == 0 and not self._rendered):
                image = render_page(self._document[index], self.zoom)
                label.setPixmap(QPixmap.fromImage(image))
                self._rendered.add(index)


def print_pdfs(printer: QPrinter, paths: Sequence[Path]) -> int:
    """Print every page of the files on `printer`; returns the pages sent."""
    painter = QPainter()
    if not painter.begin(printer):
        return 0
    sent = 0
    try:
        dpi = min(printer.resolution(), PRINT_MAX_DPI)
        for path in paths:
            document = pdfium.PdfDocument(str(path))
            try:
                for index in range(len(document)):
                    if sent and not printer.newPage():
                        return sent
                    image = render_page(document[index], dpi / 72)
                    target = painter.viewport()
                    size = image.size().scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
                    painter.drawImage(QRect(target.x(), target.y(), size.width(), size.height()),
                                      image)
                    sent += 1
            finally:
                document.close()
    finally:
        painter.end()
    return sent
