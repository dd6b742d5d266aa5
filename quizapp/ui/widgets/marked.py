"""Radio buttons and check boxes whose state reads without colour.

Textual draws a picked and an unpicked radio button (or check box) with the same
character and tells them apart by colour only, so under NO_COLOR or a monochrome theme
they look the same. These draw the mark only when the button is on.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Checkbox, RadioButton


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
