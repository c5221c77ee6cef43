"""Path parameters name existing, consistent objects; changes only ever reach the run's own objects."""

from __future__ import annotations

import itertools

import pytest

from ocgate.config import load_settings
from ocgate.contract.kinds import Kinds
from ocgate.contract.objects import Objects, Ref, format_path
from ocgate.contract.writes import Writes
from ocgate.spec import Spec, load_spec

RUN = "ocgtest"


@pytest.fixture(scope="module")
def spec() -> Spec:
    return load_spec(load_settings().spec_location)


@pytest.fixture
def objects(spec: Spec) -> Objects:
    known = Objects.for_spec(spec)
    for ref in (
        Ref("/buyers", (), "b1"),
        Ref("/buyers", (), "b2"),
        Ref("/buyers/{buyerID}/users", (("buyerID", "b1"),), "u1"),
        Ref("/buyers/{buyerID}/usergroups", (("buyerID", "b1"),), "g1"),
        Ref("/buyers/{buyerID}/usergroups", (("buyerID", "b2"),), "g2"),
        Ref("/adminusers", (), "admin1"),
        Ref("/buyers/{buyerID}/users", (("buyerID", "b2"),), "mine", owned=True),
        Ref("/products", (), "p1"),
    ):
        known.add(ref)
    return known


def fresh_ids():
    counter = itertools.count(1)
    return lambda: f"{RUN}-c{next(counter)}"


def test_a_nested_object_comes_with_its_own_parents(objects: Objects) -> None:
    for _ in range(20):
        values = objects.fill("/buyers/{buyerID}/users/{userID}", "Incoming", fresh_id=fresh_ids())
        assert (values["buyerID"], values["userID"]) in {("b1", "u1"), ("b2", "mine")}


def test_a_change_targets_only_an_object_the_run_created(objects: Objects) -> None:
    for _ in range(10):
        values = objects.fill("/buyers/{buyerID}/users/{userID}", "Incoming", owned_target=True, fresh_id=fresh_ids())
        assert values == {"buyerID": "b2", "userID": "mine"}


def test_without_an_own_object_a_change_gets_an_id_that_names_nothing(objects: Objects) -> None:
    values = objects.fill("/products/{productID}", "Incoming", owned_target=True, fresh_id=fresh_ids())
    assert values == {"productID": f"{RUN}-c1"}


def test_a_partner_after_the_target_is_filled_within_the_same_scope(objects: Objects) -> None:
    for _ in range(20):
        values = objects.fill("/buyers/{buyerID}/usergroups/{userGroupID}/assignments/{userID}", "Incoming", fresh_id=fresh_ids())
        expected_user = {"b1": "u1", "b2": "mine"}[values["buyerID"]]
        assert values["userID"] == expected_user


def test_an_unscoped_partner_comes_from_an_unscoped_collection(objects: Objects) -> None:
    objects.add(Ref("/usergroups", (), "ag1"))
    values = objects.fill("/usergroups/{userGroupID}/assignments/{userID}", "Incoming", fresh_id=fresh_ids())
    assert values == {"userGroupID": "ag1", "userID": "admin1"}


def test_the_order_direction_is_the_callers_perspective(objects: Objects) -> None:
    objects.add(Ref("/orders", (), "o1"))
    assert objects.fill("/orders/{direction}/{orderID}", "Outgoing", fresh_id=fresh_ids()) == {"direction": "Outgoing", "orderID": "o1"}


def test_bodies_carry_run_scoped_ids_and_reference_known_objects(spec: Spec, objects: Objects) -> None:
    writes = Writes(Kinds(spec), objects, RUN)
    body = writes.body(spec.operation("Products.Create"), {"ID": "random", "Name": "n", "DefaultPriceScheduleID": "nonsense"}, {})
    assert body["ID"].startswith(f"{RUN}-")
    assert body["DefaultPriceScheduleID"] == "nonsense"  # no price schedule is known: left as generated
    objects.add(Ref("/priceschedules", (), "ps1"))
    body = writes.body(spec.operation("Products.Create"), {"Name": "n", "DefaultPriceScheduleID": "nonsense"}, {})
    assert body["DefaultPriceScheduleID"] == "ps1"
    assert body["ID"].startswith(f"{RUN}-")


def test_a_field_naming_no_known_collection_is_left_as_generated(spec: Spec, objects: Objects) -> None:
    """OwnerID names an organization, not an object of some collection: "ID" alone is no match."""
    objects.add(Ref("/oauth/certs", (), "key1"))  # GET /oauth/certs/{ID}: a parameter named just ID
    writes = Writes(Kinds(spec), objects, RUN)
    body = writes.body(spec.operation("SellerApprovalRules.Create"), {"OwnerID": "", "RuleExpression": "order.Total > 1"}, {}, complete=True)
    assert body["OwnerID"] == ""


def test_a_save_keeps_the_id_of_its_path(spec: Spec, objects: Objects) -> None:
    writes = Writes(Kinds(spec), objects, RUN)
    assert writes.body(spec.operation("Buyers.Save"), {"ID": "other", "Name": "n"}, {"buyerID": f"{RUN}-c7"})["ID"] == f"{RUN}-c7"


def test_an_assignment_hangs_off_one_of_the_runs_own_objects(spec: Spec, objects: Objects) -> None:
    writes = Writes(Kinds(spec), objects, RUN)
    body = writes.body(spec.operation("UserGroups.SaveUserAssignment"), {"UserGroupID": "x", "UserID": "y"}, {"buyerID": "b1"})
    assert body["UserGroupID"].startswith(f"{RUN}-c")  # b1 has no group of the run's own: a group that does not exist
    objects.add(Ref("/buyers/{buyerID}/usergroups", (("buyerID", "b1"),), "own-group", owned=True))
    body = writes.body(spec.operation("UserGroups.SaveUserAssignment"), {"UserGroupID": "x", "UserID": "y"}, {"buyerID": "b1"})
    assert body == {"UserGroupID": "own-group", "UserID": "u1"}


def test_what_a_call_created_is_undone_newest_first(spec: Spec, objects: Objects) -> None:
    writes = Writes(Kinds(spec), objects, RUN)
    writes.record(spec.operation("Buyers.Create"), "seller_admin", {}, {"ID": f"{RUN}-b"}, 201, {"ID": f"{RUN}-b", "DefaultCatalogID": f"{RUN}-b"})
    writes.record(spec.operation("Users.Create"), "seller_admin", {"buyerID": f"{RUN}-b"}, {}, 201, {"ID": f"{RUN}-u"})
    writes.record(spec.operation("UserGroups.SaveUserAssignment"), "seller_admin", {"buyerID": "b1"}, {"UserGroupID": "g1", "UserID": "u1"}, 204, None)
    assert [(undo.path, undo.query) for undo in reversed(writes.undo)] == [
        ("/buyers/b1/usergroups/g1/assignments/u1", ()),
        (f"/buyers/{RUN}-b/users/{RUN}-u", ()),
        (f"/buyers/{RUN}-b", ()),
        (f"/catalogs/{RUN}-b", ()),  # the default catalog outlives its buyer: removed after it
    ]
    assert objects.is_owned("/buyers/{buyerID}/users", {"buyerID": f"{RUN}-b", "userID": f"{RUN}-u"})


def test_a_failed_call_creates_nothing(spec: Spec, objects: Objects) -> None:
    writes = Writes(Kinds(spec), objects, RUN)
    writes.record(spec.operation("Buyers.Create"), "seller_admin", {}, {"ID": f"{RUN}-b"}, 400, {"Errors": []})
    assert writes.undo == []


def test_an_assignment_meant_to_succeed_names_one_party(spec: Spec, objects: Objects) -> None:
    writes = Writes(Kinds(spec), objects, RUN)
    both = {"CreditCardID": "x", "UserID": "y", "UserGroupID": "z"}
    body = writes.body(spec.operation("CreditCards.SaveAssignment"), both, {"buyerID": "b1"}, complete=True)
    assert body["UserGroupID"] == "g1" and body["UserID"] is None
    generated = writes.body(spec.operation("CreditCards.SaveAssignment"), both, {"buyerID": "b1"})
    assert generated["UserID"] == "u1" and generated["UserGroupID"] == "g1"  # generated data stays as it is: a 400 is a fine answer
    membership = writes.body(spec.operation("UserGroups.SaveUserAssignment"), {"UserGroupID": "x", "UserID": "y"}, {"buyerID": "b1"}, complete=True)
    assert membership["UserID"] == "u1"


def test_filled_paths_are_percent_encoded() -> None:
    """A generated key may hold a slash or control characters: it stays one path segment."""
    assert format_path("/xpindices/{thing}/{key}", {"thing": "LineItem", "key": "a/b\x16 é"}) == "/xpindices/LineItem/a%2Fb%16%20%C3%A9"


def test_references_inside_nested_objects_name_known_objects_too(spec: Spec, objects: Objects) -> None:
    """A CC listener assignment names its message sender inside MessageSenderAssignment: one of the run's own."""
    objects.add(Ref("/messagesenders", (), "fixture-sender"))
    objects.add(Ref("/messagesenders", (), "own-sender", owned=True))
    writes = Writes(Kinds(spec), objects, RUN)
    body = {"MessageType": "OrderApproved", "MessageSenderAssignment": {"MessageSenderID": "random"}, "xp": {"SomeID": "mine"}}
    filled = writes.body(spec.operation("MessageSenders.SaveCCListenerAssignment"), body, {})
    assert filled["MessageSenderAssignment"]["MessageSenderID"] == "own-sender"
    assert filled["xp"] == {"SomeID": "mine"}
    assert body["MessageSenderAssignment"]["MessageSenderID"] == "random"  # the generated case is left as it was


def test_references_in_one_body_agree_with_each_other(spec: Spec, objects: Objects) -> None:
    """After BuyerID is filled in, UserGroupID names a group of that buyer, not of another one."""
    writes = Writes(Kinds(spec), objects, RUN)
    for _ in range(10):
        body = writes.body(spec.operation("SecurityProfiles.SaveAssignment"), {"SecurityProfileID": "x", "BuyerID": "y", "UserGroupID": "z"}, {})
        assert (body["BuyerID"], body["UserGroupID"]) in {("b1", "g1"), ("b2", "g2")}


def test_a_required_reference_left_null_names_a_known_object(spec: Spec, objects: Objects) -> None:
    """The overlay lets every property be null; a line item without its product tests nothing, so it gets one."""
    writes = Writes(Kinds(spec), objects, RUN)
    body = writes.body(spec.operation("LineItems.Create"), {"ProductID": None, "Quantity": 1, "ShippingAddressID": None}, {"orderID": "o1"})
    assert body["ProductID"] == "p1"
    assert body["ShippingAddressID"] is None  # optional: null is a fine thing to send
    negative = writes.body(spec.operation("LineItems.Create"), {"ProductID": None, "Quantity": 1}, {"orderID": "o1"}, positive=False)
    assert negative["ProductID"] is None


def test_an_object_whose_create_answers_its_parent_is_known_by_the_id_the_run_gave_it(spec: Spec, objects: Objects) -> None:
    """Payments.CreateTransaction answers the Payment; the transaction is the one the body named."""
    writes = Writes(Kinds(spec), objects, RUN)
    path = {"direction": "Incoming", "orderID": "o1", "paymentID": "pay1"}
    writes.record(spec.operation("Payments.CreateTransaction"), "seller_admin", path, {"ID": f"{RUN}-t1", "Type": "Charge"}, 201, {"ID": "pay1", "Transactions": []})
    assert objects.is_owned("/orders/{orderID}/payments/{paymentID}/transactions", {"orderID": "o1", "paymentID": "pay1", "transactionID": f"{RUN}-t1"})
    assert writes.undo[-1].path == f"/orders/Incoming/o1/payments/pay1/transactions/{RUN}-t1"


def test_a_call_meant_to_succeed_references_seeded_objects_before_the_runs_own(spec: Spec, objects: Objects) -> None:
    """The run's own API clients were made from generated data (inactive, say); the seeded one works."""
    objects.add(Ref("/apiclients", (), "seeded-client"))
    objects.add(Ref("/apiclients", (), "own-client", owned=True))
    writes = Writes(Kinds(spec), objects, RUN)
    for _ in range(10):
        body = writes.body(spec.operation("PasswordResets.SendVerificationCode"), {"ClientID": "x", "Username": "u"}, {}, complete=True)
        assert body["ClientID"] == "seeded-client"
    picked = {writes.body(spec.operation("PasswordResets.SendVerificationCode"), {"ClientID": "x"}, {})["ClientID"] for _ in range(30)}
    assert picked == {"seeded-client", "own-client"}  # generated calls may name any


def test_an_assignment_hangs_off_an_object_of_the_collection_its_path_names(spec: Spec, objects: Objects) -> None:
    """POST /usergroups/assignments relates an admin user group: the run's own buyer groups do not qualify."""
    objects.add(Ref("/buyers/{buyerID}/usergroups", (("buyerID", "b1"),), "own-buyer-group", owned=True))
    writes = Writes(Kinds(spec), objects, RUN)
    body = writes.body(spec.operation("AdminUserGroups.SaveUserAssignment"), {"UserGroupID": "x", "UserID": "y"}, {})
    assert body["UserGroupID"].startswith(f"{RUN}-c")  # no admin group of the run's own yet: one that does not exist
    objects.add(Ref("/usergroups", (), "own-admin-group", owned=True))
    for _ in range(10):
        body = writes.body(spec.operation("AdminUserGroups.SaveUserAssignment"), {"UserGroupID": "x", "UserID": "y"}, {})
        assert (body["UserGroupID"], body["UserID"]) == ("own-admin-group", "admin1")
