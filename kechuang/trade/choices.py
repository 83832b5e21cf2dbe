from django.db import models
from django.utils.translation import gettext_lazy as _


class DealKind(models.TextChoices):
    TRANSFER = "transfer", _("转让")
    EXCLUSIVE_LICENCE = "exclusive_licence", _("独占许可")
    LICENCE = "licence", _("普通许可")
    EQUITY = "equity", _("作价入股")


#: Kinds after which only one party may hold the right: the owner changes (transfer, 作价入股) or
#: one licensee excludes everyone else (exclusive licence).
EXCLUSIVE_KINDS = frozenset({DealKind.TRANSFER, DealKind.EXCLUSIVE_LICENCE, DealKind.EQUITY})
#: Kinds that move ownership to the buyer.
OWNERSHIP_KINDS = frozenset({DealKind.TRANSFER, DealKind.EQUITY})


class ListingStatus(models.TextChoices):
    LISTED = "listed", _("挂牌中")
    CLOSED = "closed", _("已成交")
    WITHDRAWN = "withdrawn", _("已撤牌")


class DealState(models.TextChoices):
    INTEREST = "interest", _("意向")
    NEGOTIATING = "negotiating", _("洽谈中")
    AGREED = "agreed", _("已议定")
    SIGNED = "signed", _("已签约")
    REGISTERED = "registered", _("已登记")
    WITHDRAWN = "withdrawn", _("已撤回")


#: state → the states it may move to (the state machine; anything else is ``out_of_order``).
TRANSITIONS = {
    DealState.INTEREST: {DealState.NEGOTIATING, DealState.WITHDRAWN},
    DealState.NEGOTIATING: {DealState.AGREED, DealState.WITHDRAWN},
    DealState.AGREED: {DealState.SIGNED, DealState.WITHDRAWN},
    DealState.SIGNED: {DealState.REGISTERED},
    DealState.REGISTERED: set(),
    DealState.WITHDRAWN: set(),
}
OPEN_STATES = frozenset({DealState.INTEREST, DealState.NEGOTIATING, DealState.AGREED})
#: States in which a deal binds the right (an exclusive one blocks any other such deal on the item).
BINDING_STATES = frozenset({DealState.AGREED, DealState.SIGNED, DealState.REGISTERED})
#: States counted as transactions (the contract is signed).
CONCLUDED_STATES = frozenset({DealState.SIGNED, DealState.REGISTERED})

STATE_COLORS = {DealState.INTEREST: "info", DealState.NEGOTIATING: "primary", DealState.AGREED: "warning",
                DealState.SIGNED: "success", DealState.REGISTERED: "success", DealState.WITHDRAWN: "secondary"}


class Proceeds(models.TextChoices):
    """What became of the price of a pledged item transferred or licensed with the pledgee's consent
    (民法典 第四百四十四条第二款: the proceeds are paid to the pledgee to repay the debt early, or
    lodged with a third party)."""

    DUE = "due", _("价款待提前清偿或提存")
    REPAID = "repaid", _("已向质权人提前清偿")
    LODGED = "lodged", _("已提存")


PROCEEDS_COLORS = {Proceeds.DUE: "warning", Proceeds.REPAID: "success", Proceeds.LODGED: "success"}
