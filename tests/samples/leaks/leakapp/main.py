"""The application object and its routes."""

import traceback
from dataclasses import dataclass

from leakapp.catalog import PRODUCTS
from leakapp.settings import Settings
from leakapp.web import App, Depends, HTTPException, JSONResponse

app = App(title="leakapp")


@dataclass
class User:
    name: str
    is_admin: bool = False


_TOKENS = {"Bearer staff-token": User("sam")}
VISITS_TODAY = 0
ORDERS_TODAY = 0


def get_current_user(request):
    token = request.headers.get("authorization")
    user = _TOKENS.get(token)
    if user is None:
        raise HTTPException(401, "Not authenticated")
    return user


@app.exception_handler(Exception)
def server_error(request, exc):
    if Settings.debug:
        detail = "".join(traceback.format_exception(exc))
    else:
        detail = "Internal Server Error"
    return JSONResponse({"detail": detail}, 500)


@app.get("/health")
def health():
    return {"status": "ok"}


@app.get("/products")
def list_products():
    return {"items": [dict(p) for p in PRODUCTS]}


@app.get("/admin/stats")
def admin_stats(user=Depends(get_current_user)):
    if not user.is_admin:
        raise HTTPException(403, "Admins only")
    return {"visits": VISITS_TODAY, "orders": ORDERS_TODAY}


@app.get("/stats/conversion")
def conversion_rate():
    # Known bug (#212): divides by zero before the first visit of the day.
    return {"rate": ORDERS_TODAY / VISITS_TODAY}
