"""« Produit manquant pour tous… »: a product that did not come, nothing of it delivered."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QCheckBox, QLabel, QWidget

from coopfood.i18n import _
from coopfood.services import ValidationError
from coopfood.services.cycles import get_cycle
from coopfood.services.delivery import MissingResult, mark_product_missing
from ui.dialogs.fields import SearchCombo
from ui.dialogs.form import FormDialog, new_form
from ui.display import counted
from ui.views.context import PageContext


@dataclass(frozen=True)
class MissingInput:
    product_id: int
    #: None: at every point of the distribution.
    point_id: int | None


class MissingProductDialog(FormDialog[MissingInput]):
    def __init__(self, parent: QWidget | None, *, products: list[tuple[str, int]],
                 point_id: int, point_name: str,
                 save: Callable[[MissingInput], object] | None) -> None:
        super().__init__(parent, title=_("Produit manquant pour tous"), save=save,
                         ok_text=_("Marquer manquant"))
        self._point_id = point_id
        form = new_form()
        explanation = QLabel(_("Rien de ce produit n'est livré : la quantité livrée de chaque "
                               "foyer qui l'a commandé passe à 0 et son montant est recalculé. "
                               "Chaque changement est gardé dans l'historique."))
        explanation.setWordWrap(True)
        self.body.addWidget(explanation)
        self.product: SearchCombo[int] = SearchCombo(products)
        self.add_field(form, "product_id", _("Produit"), self.product)
        self.everywhere = QCheckBox(_("Dans tous les points de la distribution (sinon : "
                                      "« {point} » seulement)").format(point=point_name))
        self.add_field(form, "point_id", _("Où"), self.everywhere)
        self.body.addLayout(form)
        self.resize(560, self.sizeHint().height())

    def collect(self) -> MissingInput:
        product_id = self.product.value()
        if product_id is None:
            raise ValidationError(_("Choisissez le produit manquant dans la liste."),
                                  field="product_id")
        return MissingInput(product_id=product_id,
                            point_id=None if self.everywhere.isChecked() else self._point_id)


def missing_summary(result: MissingResult, product: str) -> str:
    """« Carottes : rien de livré, 12 lignes de 12 foyers mises à 0. »"""
    if not result.lines:
        return _("{product} : aucune ligne à changer (déjà à 0 ou pas commandé).").format(
            product=product)
    return _("{product} : rien de livré, {lines} de {households} mises à 0.").format(
        product=product, lines=counted("{n} ligne", "{n} lignes", result.lines),
        households=counted("{n} foyer", "{n} foyers", result.households))


def ask_missing_product(parent: QWidget | None, context: PageContext, *, cycle_id: int,
                        point_id: int, point_name: str) -> str | None:
    """Ask which product is missing and mark it; a French summary, or None if given up."""
    db, actor = context.db, context.actor
    detail = get_cycle(db=db, actor=actor, cycle_id=cycle_id)
    products = [(f"{offer.product} — {offer.producer}", offer.product_id)
                for offer in detail.offers]
    names = {offer.product_id: offer.product for offer in detail.offers}

    def save(data: MissingInput) -> MissingResult:
        return mark_product_missing(db=db, actor=actor, cycle_id=cycle_id,
                                    product_id=data.product_id, point_id=data.point_id)

    dialog = MissingProductDialog(parent, products=products, point_id=point_id,
                                  point_name=point_name, save=save)
    data = dialog.ask()
    if data is None or not isinstance(dialog.saved, MissingResult):
        return None
    return missing_summary(dialog.saved, names.get(data.product_id, ""))
