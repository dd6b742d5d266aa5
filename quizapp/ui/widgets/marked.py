"""Radio buttons and check boxes whose state reads without colour.

Textual draws a picked and an unpicked radio button (or check box, or selection list
row) with the same character and tells them apart by colour only, so under NO_COLOR or a
monochrome theme they look the same. These draw the mark only when the button is on.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.content import Content
from textual.strip import Strip
from textual.widgets import Checkbox, RadioButton, SelectionList
from textual.widgets.option_list import OptionDoesNotExist


class MarkedRadioButton(RadioButton):
    """A radio button showing ● when picked and a blank when not."""

    @property
    def _button(self) -> Content:
        self.BUTTON_INNER = "●" if self.value else " "
        return super()._button


class MarkedCheckbox(Checkbox):
    """A check box showing X when ticked and a blank when not."""

    @property
    def _button(self) -> Content:
        self.BUTTON_INNER = "X" if self.value else " "
        return super()._button


class MarkedSelectionList(SelectionList[str]):
    """A selection list whose unticked rows show a blank box instead of a dimmed X."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        _, scroll_y = self.scroll_offset
        try:
            selection = self.get_option_at_index(scroll_y + y)
        except OptionDoesNotExist:
            return strip
        segments = list(strip)
        # SelectionList draws [left side, inner mark, right side, space, prompt...].
        if selection.value in self.selected or len(segments) < 3:
            return strip
        inner = segments[1]
        if inner.text != Checkbox.BUTTON_INNER:  # the toggle buttons' shared mark
            return strip
        segments[1] = Segment(" " * len(inner.text), inner.style, inner.control)
        return Strip(segments, strip.cell_length)
