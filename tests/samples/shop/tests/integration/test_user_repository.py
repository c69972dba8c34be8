from shopapp.models import Role, User


def test_find_user_by_email(db_session, customer_user):
    found = db_session.query(User).filter_by(email="alice@shop.example").one()
    assert found is customer_user


def test_admins_are_listed_separately(db_session, user_factory, admin_user):
    user_factory()
    user_factory()
    admins = db_session.query(User).filter_by(role=Role.ADMIN).all()
    assert admins == [admin_user]


def test_deactivated_user_is_kept(db_session, customer_user):
    customer_user.is_active = False
    db_session.add(customer_user)
    db_session.flush()
    assert db_session.get(User, customer_user.id).is_active is False


def test_session_is_tagged_for_integration(db_session):
    assert db_session.info["source"] == "integration-tests"
