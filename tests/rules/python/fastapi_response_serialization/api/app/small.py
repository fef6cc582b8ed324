"""Small literal payloads (nothing to gain from a response model) and annotated responses."""

from fastapi import APIRouter, Response
from fastapi.responses import RedirectResponse

router = APIRouter()
BEARER = "bearer"


@router.get("/")
async def root():
    return "Hello world"


@router.post("/logout")
async def logout(response: Response):
    response.delete_cookie("session")
    return {"message": "Logged out"}


@router.post("/token")
def token(user: str):
    access_token = user.upper()
    if not access_token:
        return {"detail": None}
    return {"access_token": access_token, "token_type": BEARER}


@router.get("/oauth")
async def oauth_login(client, request):
    response: RedirectResponse = await client.authorize_redirect(request, "/login")
    return response


@router.get("/four")
def four(a: int, b: int):  # optimus-expect: fastapi-response-serialization
    return {"a": a, "b": b, "c": a + b, "d": a * b}


@router.get("/nested")
def nested(store):  # optimus-expect: fastapi-response-serialization
    return {"items": store.load()}


@router.get("/mixed")
def mixed(store, empty: bool):  # optimus-expect: fastapi-response-serialization
    if empty:
        return {"items": None}
    return store.load_all()
