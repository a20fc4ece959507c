"""Two people editing the same record at once: one edit wins, the other is told, never lost.

Each "person" is a thread with its own Database (its own connections), as two
laptops on one PostgreSQL server, or two windows on one SQLite file, would be.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from coopfood.domain.vat import VatRegime
from coopfood.persistence.db import Database, connect
from coopfood.services import LOCAL_ADMIN, StaleData
from coopfood.services.members import MemberInput, get_member, save_member
from coopfood.services.producers import ProducerInput, get_producer, save_producer
from tests.services.test_points import new_point
from tests.services.test_producers import new_producer

PEOPLE = 4


def _race(db_url: str, edit: Callable[[Database, int], object]) -> list[object]:
    """Run `edit(db, n)` in PEOPLE threads released together; each result or error."""
    barrier = threading.Barrier(PEOPLE)

    def person(n: int) -> object:
        own = connect(db_url)
        try:
            barrier.wait()
            return edit(own, n)
        except StaleData as error:
            return error
        finally:
            own.dispose()

    with ThreadPoolExecutor(PEOPLE) as pool:
        return list(pool.map(person, range(PEOPLE)))


def test_edits_made_on_the_same_version_of_a_producer_let_one_win(
    db: Database, db_url: str
) -> None:
    producer_id = new_producer(db, "GAEC du Pré Vert")
    seen = get_producer(db=db, actor=LOCAL_ADMIN, producer_id=producer_id)

    def edit(own: Database, n: int) -> object:
        return save_producer(
            db=own, actor=LOCAL_ADMIN, producer_id=producer_id,
            expected_version=seen.version,
            data=ProducerInput(name=seen.name, vat_regime=VatRegime.FRANCHISE, city=f"Ville {n}"),
        )

    results = _race(db_url, edit)
    refused = [r for r in results if isinstance(r, StaleData)]
    saved = [r for r in results if not isinstance(r, StaleData)]
    assert (len(saved), len(refused)) == (1, PEOPLE - 1)
    assert "modifié par quelqu'un d'autre" in str(refused[0])
    final = get_producer(db=db, actor=LOCAL_ADMIN, producer_id=producer_id)
    assert final.city == saved[0].city  # type: ignore[attr-defined]
    assert final.version == seen.version + 1


def test_a_household_edited_twice_keeps_the_first_edit_and_refuses_the_stale_one(
    db: Database, db_url: str
) -> None:
    point = new_point(db, "Halle")
    member = save_member(db=db, actor=LOCAL_ADMIN, data=MemberInput(
        last_name="Lefebvre", first_name="Camille", point_id=point))
    seen = get_member(db=db, actor=LOCAL_ADMIN, member_id=member.id)

    def edit(own: Database, n: int) -> object:
        return save_member(db=own, actor=LOCAL_ADMIN, member_id=member.id,
                           expected_version=seen.version,
                           data=MemberInput(last_name="Lefebvre", first_name="Camille",
                                            point_id=point, phone=f"06 12 34 56 7{n}"))

    results = _race(db_url, edit)
    winners = [r for r in results if not isinstance(r, StaleData)]
    assert len(winners) == 1
    assert get_member(db=db, actor=LOCAL_ADMIN, member_id=member.id).phone == (
        winners[0].phone)  # type: ignore[attr-defined]
