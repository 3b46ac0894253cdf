"""The one action registry: id, text, shortcuts, icon, tip and handler of every command.

Menus, the toolbar, the label bar and the shortcut sheet are all built from it, so a
shortcut is declared once and a clash is a test failure rather than a surprise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from PySide6.QtCore import QBuffer, QByteArray, QObject, QSize, Qt
from PySide6.QtGui import QAction, QColor, QIcon, QImageReader, QKeySequence, QPixmap
from PySide6.QtWidgets import QMenu, QMenuBar, QStyle, QToolBar, QWidget

from annotator.labels import LabelSpec
from annotator.ui.plain_text import plain_tooltip

Handler = Callable[[], None]
MENUS = ("File", "Edit", "Labels", "Document", "Team", "Model", "View", "Help")


@dataclass(frozen=True, slots=True)
class ActionSpec:
    id: str
    text: str
    menu: str
    shortcuts: tuple[str, ...] = ()
    tip: str = ""
    icon: str = ""  # a QStyle.StandardPixmap name, "svg:NAME" (resources/icons), or "#RRGGBB" for a swatch
    toolbar: bool = False
    checkable: bool = False
    separator_before: bool = False


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("file.open_project", "&Open project…", "File", ("Ctrl+O",), "Open another project file",
               "SP_DialogOpenButton"),
    ActionSpec("file.open_team_project", "Open &team project…", "File", (),
               "Open a project on a PostgreSQL server (postgresql+psycopg://user@host/database)"),
    ActionSpec("file.import_files", "&Import files…", "File", ("Ctrl+I",),
               "Add .txt, .md, .html, .pdf or .jsonl files to the project", "SP_FileDialogNewFolder", toolbar=True,
               separator_before=True),
    ActionSpec("file.import_folder", "Import &folder…", "File", ("Ctrl+Shift+I",), "Add every supported file in a folder"),
    ActionSpec("file.export", "&Export…", "File", ("Ctrl+E",), "Write annotations to JSONL or another format",
               "svg:export", toolbar=True),
    ActionSpec("file.export_pdfs", "Export annotated &PDFs…", "File", (),
               "Write a copy of each PDF with every span as a highlight readable in any PDF reader"),
    ActionSpec("file.quit", "&Quit", "File", ("Ctrl+Q",), "Close the window (every edit is already saved)",
               separator_before=True),
    ActionSpec("edit.undo", "&Undo", "Edit", ("Ctrl+Z",), "Undo the last edit", "svg:undo", toolbar=True),
    ActionSpec("edit.redo", "&Redo", "Edit", ("Ctrl+Shift+Z", "Ctrl+Y"), "Redo the last undone edit",
               "svg:redo", toolbar=True),
    ActionSpec("edit.delete_span", "&Delete span", "Edit", ("Delete", "Backspace"), "Remove the selected span",
               "SP_TrashIcon", separator_before=True),
    ActionSpec("edit.note", "Edit &note…", "Edit", ("N",), "Write a note on the selected span"),
    ActionSpec("edit.find", "&Find in document…", "Edit", ("Ctrl+F",), "Find text in the open document",
               separator_before=True),
    ActionSpec("edit.search_corpus", "&Search all documents…", "Edit", ("Ctrl+Shift+F",),
               "Search every document's title and text"),
    ActionSpec("edit.snap_tokens", "S&nap selections to words", "Edit", (),
               "Widen selections to whole tokens (hold Alt with the label key for exact characters)",
               checkable=True, separator_before=True),
    ActionSpec("doc.done", "Mark &done and next", "Document", ("Ctrl+Return", "Ctrl+Enter"),
               "Mark this document done and open the next unfinished one", "SP_DialogApplyButton", toolbar=True),
    ActionSpec("doc.skip", "S&kip", "Document", ("Ctrl+K",), "Mark this document skipped and move on"),
    ActionSpec("doc.flag", "&Flag…", "Document", ("Ctrl+G",), "Flag this document with a reason"),
    ActionSpec("doc.next_unfinished", "&Next unfinished document", "Document", ("Ctrl+J",),
               "Open the next document that is not done", "SP_MediaSkipForward", toolbar=True, separator_before=True),
    ActionSpec("doc.next", "Next document", "Document", ("Alt+Down",), "Open the next document in the list"),
    ActionSpec("doc.previous", "Previous document", "Document", ("Alt+Up",), "Open the previous document in the list"),
    ActionSpec("view.refresh", "Re&fresh", "View", ("F5",),
               "Show now what other reviewers and programs changed (it also shows within 2 seconds by itself)"),
    ActionSpec("view.zoom_in", "Zoom &in", "View", ("Ctrl+=", "Ctrl++"), "Larger text"),
    ActionSpec("view.zoom_out", "Zoom &out", "View", ("Ctrl+-",), "Smaller text"),
    ActionSpec("view.zoom_reset", "&Reset zoom", "View", ("Ctrl+0",), "Default text size"),
    ActionSpec("view.page_view", "&PDF pages", "View", ("Ctrl+Shift+P",),
               "Show a PDF on its rendered pages, or as text (both show the same spans and selection)",
               checkable=True, separator_before=True),
    ActionSpec("view.fit_width", "Fit page &width", "View", ("Ctrl+2",), "Zoom the PDF pages to the window's width"),
    ActionSpec("view.fit_page", "Fit whole pa&ge", "View", ("Ctrl+3",), "Zoom so one whole PDF page shows"),
    ActionSpec("view.statistics", "&Statistics", "View", ("Ctrl+Shift+S",),
               "Progress per reviewer, spans per label and span lengths, as charts", checkable=True,
               separator_before=True),
    ActionSpec("view.theme_system", "Theme: follow &system", "View", (), "Light or dark as the system is",
               checkable=True, separator_before=True),
    ActionSpec("view.theme_light", "Theme: &light", "View", (), "Always light", checkable=True),
    ActionSpec("view.theme_dark", "Theme: &dark", "View", (), "Always dark", checkable=True),
    ActionSpec("help.guide", "&Guide", "Help", (), "How to annotate: the workflow, the keys, where your work is kept"),
    ActionSpec("help.shortcuts", "&Keyboard shortcuts", "Help", ("F1",), "Every command and its keys",
               "SP_DialogHelpButton"),
    ActionSpec("help.about", "&About annotator", "Help", (), "Version, project file and database",
               separator_before=True),
)


def label_action_specs(labels: Iterable[LabelSpec]) -> list[ActionSpec]:
    """Per label: its key tags (snapping to tokens as set), Alt+key tags exact characters."""
    labels = list(labels)
    specs = [ActionSpec(f"label.{s.name}", s.name, "Labels", (s.shortcut,) if s.shortcut else (),
                        f"Tag the selection as {s.name} (or relabel the selected span)", s.colour)
             for s in labels]
    specs += [ActionSpec(f"label_exact.{s.name}", f"{s.name} (exact characters)", "Labels",
                         (f"Alt+{s.shortcut}",) if s.shortcut else (),
                         f"Tag exactly the selected characters as {s.name}", separator_before=(i == 0))
              for i, s in enumerate(labels)]
    return specs


def swatch_icon(colour: str, size: int = 14) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(colour))
    return QIcon(pixmap)


_SVG_STROKE = "#3d4a5c"  # the colour the icon files are drawn in, replaced by the theme's text colour


def svg_icon(name: str, colour: QColor, size: int = 48) -> QIcon:
    """An icon from resources/icons/NAME.svg, drawn in ``colour`` so it reads on light and dark themes."""
    from annotator.resource_files import read_text

    data = QByteArray(read_text("icons", f"{name}.svg").replace(_SVG_STROKE, colour.name()).encode("utf-8"))
    buffer = QBuffer(data)
    reader = QImageReader(buffer, QByteArray(b"svg"))
    reader.setScaledSize(QSize(size, size))  # drawn at this size, not scaled up from 24 pixels
    image = reader.read()
    return QIcon(QPixmap.fromImage(image)) if not image.isNull() else QIcon()


class ActionRegistry(QObject):
    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._actions: dict[str, QAction] = {}
        self._specs: dict[str, ActionSpec] = {}

    def register(self, spec: ActionSpec, handler: Handler | None) -> QAction:
        if spec.id in self._actions:
            raise ValueError(f"action {spec.id!r} registered twice")
        action = QAction(spec.text, self._window)
        action.setObjectName(spec.id)
        action.setShortcuts([QKeySequence(s) for s in spec.shortcuts])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setToolTip(plain_tooltip(f"{spec.tip} ({spec.shortcuts[0]})" if spec.shortcuts else spec.tip))
        action.setStatusTip(spec.tip)
        action.setCheckable(spec.checkable)
        action.setProperty("group", spec.menu)  # the shortcut sheet groups by it
        if spec.icon:
            action.setIcon(self._icon(spec.icon))
        if handler is not None:
            action.triggered.connect(lambda _checked=False, h=handler: h())
        self._window.addAction(action)  # shortcuts work with menus and toolbar hidden
        self._actions[spec.id] = action
        self._specs[spec.id] = spec
        return action

    def register_all(self, specs: Iterable[ActionSpec], handlers: Mapping[str, Handler]) -> None:
        for spec in specs:
            self.register(spec, handlers.get(spec.id))

    def _icon(self, name: str) -> QIcon:
        if name.startswith("#"):
            return swatch_icon(name)
        if name.startswith("svg:"):
            return svg_icon(name[4:], self._window.palette().windowText().color())
        pixmap = getattr(QStyle.StandardPixmap, name, None)
        return self._window.style().standardIcon(pixmap) if pixmap is not None else QIcon()

    def action(self, action_id: str) -> QAction:
        return self._actions[action_id]

    def __contains__(self, action_id: object) -> bool:
        return action_id in self._actions

    def actions(self) -> list[QAction]:
        return list(self._actions.values())

    def specs(self) -> list[ActionSpec]:
        return list(self._specs.values())

    def ids_in(self, prefix: str) -> list[str]:
        return [i for i in self._actions if i.startswith(prefix)]

    def unregister(self, prefixes: tuple[str, ...]) -> None:
        for action_id in [i for i in self._actions if i.startswith(prefixes)]:
            action = self._actions.pop(action_id)
            del self._specs[action_id]
            self._window.removeAction(action)
            action.deleteLater()

    def fill_menu(self, menu: QMenu, menu_name: str) -> None:
        menu.clear()
        for action_id, spec in self._specs.items():
            if spec.menu != menu_name:
                continue
            if spec.separator_before and menu.actions():
                menu.addSeparator()
            menu.addAction(self._actions[action_id])

    def build_menus(self, menubar: QMenuBar, extra: Mapping[str, Iterable[QAction]] = {}) -> dict[str, QMenu]:
        menus = {name: menubar.addMenu(f"&{name}") for name in MENUS}
        for name, menu in menus.items():
            menu.setObjectName(f"menu{name}")
            self.fill_menu(menu, name)
        for name, actions in extra.items():
            menus[name].addSeparator()
            for action in actions:
                menus[name].addAction(action)
        return menus

    def build_toolbar(self, toolbar: QToolBar) -> None:
        for action_id, spec in self._specs.items():
            if spec.toolbar:
                toolbar.addAction(self._actions[action_id])
