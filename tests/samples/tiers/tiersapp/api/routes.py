"""HTTP routes. Handlers take their collaborators through Depends, so they can be called directly."""

from fastapi import APIRouter, Depends, Header, HTTPException, Request, Response
from sqlalchemy.orm import Session

from tiersapp.api.deps import get_current_customer, get_db, get_subscription_service
from tiersapp.api.schemas import CustomerIn, InvoiceOut, PlanOut, SubscriptionIn, SubscriptionOut
from tiersapp.config import get_settings
from tiersapp.models import Customer
from tiersapp.repositories import CustomerRepository, InvoiceRepository, PlanRepository, SubscriptionRepository
from tiersapp.services import SubscriptionService, UnknownPlan
from tiersapp.text import slugify
from tiersapp.webhooks import parse_event, verify

router = APIRouter()

SORTABLE = {"created_at", "name", "email"}


def paginate(items: list, page: int = 1, size: int = 20) -> dict:
    if page < 1 or size < 1:
        raise HTTPException(status_code=422, detail="page and size start at 1")
    start = (page - 1) * size
    return {"items": items[start : start + size], "page": page, "size": size, "total": len(items)}


def parse_sort(value: str) -> tuple[str, bool]:
    descending = value.startswith("-")
    field = value.lstrip("-+")
    if field not in SORTABLE:
        raise HTTPException(status_code=422, detail=f"cannot sort by {field}")
    return field, descending


@router.get("/health")
def health() -> dict:
    return {"status": "ok"}


@router.get("/plans", response_model=list[PlanOut])
def list_plans(response: Response, db: Session = Depends(get_db)):
    plans = PlanRepository(db).all()
    response.headers["ETag"] = f'W/"plans-{len(plans)}"'
    return plans


@router.get("/plans/{code}", response_model=PlanOut)
def get_plan(code: str, db: Session = Depends(get_db)):
    plan = PlanRepository(db).by_code(code)
    if plan is None:
        raise HTTPException(status_code=404, detail="plan not found")
    return plan


@router.post("/customers", status_code=201)
def create_customer(body: CustomerIn, db: Session = Depends(get_db)) -> dict:
    repo = CustomerRepository(db)
    if repo.by_email(body.email) is not None:
        raise HTTPException(status_code=409, detail="email already registered")
    customer = repo.add(Customer(email=body.email, name=body.name, slug=slugify(body.name), country=body.country))
    return {"id": customer.id, "slug": customer.slug}


@router.post("/subscriptions", status_code=201, response_model=SubscriptionOut)
def subscribe(
    body: SubscriptionIn,
    customer: Customer = Depends(get_current_customer),
    service: SubscriptionService = Depends(get_subscription_service),
):
    try:
        return service.subscribe(customer, body.plan, trial=body.trial)
    except UnknownPlan:
        raise HTTPException(status_code=404, detail=f"no plan {body.plan}") from None


@router.get("/subscriptions", response_model=list[SubscriptionOut])
def list_subscriptions(customer: Customer = Depends(get_current_customer), db: Session = Depends(get_db)):
    return SubscriptionRepository(db).active_for(customer.id)


@router.post("/subscriptions/{subscription_id}/cancel", response_model=SubscriptionOut)
def cancel(
    subscription_id: int,
    reason: str | None = None,
    customer: Customer = Depends(get_current_customer),
    service: SubscriptionService = Depends(get_subscription_service),
):
    subscription = service.repo.get(subscription_id)
    if subscription is None or subscription.customer_id != customer.id:
        raise HTTPException(status_code=404, detail="subscription not found")
    return service.cancel(subscription, reason)


@router.get("/invoices", response_model=list[InvoiceOut])
def list_invoices(customer: Customer = Depends(get_current_customer), db: Session = Depends(get_db)):
    return InvoiceRepository(db).for_customer(customer.id)


@router.post("/webhooks/paybridge", status_code=204)
async def paybridge_webhook(request: Request, paybridge_signature: str = Header(...)):
    payload = await request.body()
    if not verify(payload, paybridge_signature, get_settings().webhook_secret):
        raise HTTPException(status_code=400, detail="bad signature")
    event = parse_event(payload)
    request.app.state.events.append(event)
    return Response(status_code=204)
