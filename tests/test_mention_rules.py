"""Which names a text mentions, and whom they resolve to: the pure rules."""

from parley.messages.mentions import names, resolve

# (user_id, role, username_key)
MEMBERS = [(1, "owner", "ann"), (2, "admin", "bob.b"), (3, "member", "cy_3"), (4, "member", "all")]


def test_names_are_lower_cased_and_need_a_boundary() -> None:
    assert names("@Ann, @bob.b. and @CY_3!") == {"ann", "bob.b", "bob.b.", "cy_3"}
    assert names("mail ann@example.com or x.@ann or @@ann") == set()
    assert names("@ab is too short; (@ann) [@cy_3]") == {"ann", "cy_3"}
    assert names("@" + "a" * 33) == set()  # a username is at most 32 characters
    assert names("@" + "a" * 32) == {"a" * 32}


def test_resolve_members_only_never_the_sender() -> None:
    assert resolve({"ann", "cy_3", "nobody"}, 2, MEMBERS, True) == [1, 3]
    assert resolve({"bob.b."}, 1, MEMBERS, True) == []  # only the trimmed form is a name
    assert resolve({"bob.b", "bob.b."}, 1, MEMBERS, True) == [2]
    assert resolve({"ann"}, 1, MEMBERS, True) == []


def test_all_and_here_in_groups_are_keywords_for_managers() -> None:
    assert resolve({"all"}, 1, MEMBERS, True) == [2, 3, 4]
    assert resolve({"here"}, 2, MEMBERS, True) == [1, 3, 4]
    # A member's @all is plain text, even with a member called "all".
    assert resolve({"all"}, 3, MEMBERS, True) == []
    assert resolve({"all", "ann"}, 3, MEMBERS, True) == [1]
    # In a direct chat it is just a username.
    assert resolve({"all"}, 1, MEMBERS, False) == [4]
    assert resolve({"here"}, 1, MEMBERS, False) == []
