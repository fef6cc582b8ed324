from fastapi import APIRouter, FastAPI, WebSocket, status
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    ORJSONResponse,
    StreamingResponse,
)
from pydantic import BaseModel

app = FastAPI(default_response_class=ORJSONResponse)  # optimus-expect: fastapi-response-serialization
router = APIRouter(prefix="/v1")


class Item(BaseModel):
    id: int
    name: str


@app.get("/items")
async def list_items():  # optimus-expect: fastapi-response-serialization
    return [{"id": 1, "name": "a"}]


@app.get("/items/{item_id}")
async def get_item(item_id: int) -> Item:
    return Item(id=item_id, name="a")


@app.get("/typed", response_model=list[Item])
async def typed():
    return []


@router.get("/fast", response_class=ORJSONResponse)  # optimus-expect: fastapi-response-serialization
async def fast() -> list[Item]:
    return []


@router.post("/manual")
def manual(item: Item):
    if item.id < 0:
        return JSONResponse(status_code=400, content={"detail": "negative id"})
    if item.id == 0:
        return JSONResponse({"detail": "gone"}, status_code=status.HTTP_410_GONE)
    try:
        payload = {"id": item.id}
    except ValueError:
        return JSONResponse({"detail": "bad"})
    return JSONResponse(content=payload)  # optimus-expect: fastapi-response-serialization


@router.get("/created")
def created() -> JSONResponse:
    return ORJSONResponse({"ok": True}, status_code=201)  # optimus-expect: fastapi-response-serialization


@app.get("/page", response_class=HTMLResponse)
async def page():
    return "<h1>hi</h1>"


@app.get("/download")
async def download():
    return FileResponse("report.pdf")


@app.get("/stream")
async def stream():
    async def gen():
        yield b"x"

    return StreamingResponse(gen())


@app.get("/events")
async def events():
    for i in range(3):
        yield {"i": i}


@app.delete("/items/{item_id}", status_code=204)
async def delete_item(item_id: int):
    return None


@app.post("/ping")
async def ping():
    print("pong")


@app.get("/raw", response_model=None)
async def raw():
    return {"a": 1}


@app.websocket("/ws")
async def ws(websocket: WebSocket):
    await websocket.accept()
    return {"never": "serialized"}


app.include_router(router)


@router.get("/two")
def two(flag: bool):
    if flag:
        return JSONResponse({"a": 1})  # optimus-expect: fastapi-response-serialization
    return JSONResponse({"b": 2})
