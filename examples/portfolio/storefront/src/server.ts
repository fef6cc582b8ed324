import cors from "cors";
import express, { NextFunction, Request, Response } from "express";

import { catalogRouter, NotFoundError, ValidationError } from "./catalog";

const app = express();
const port = Number(process.env.PORT ?? 3000);

app.disable("x-powered-by");
app.use(cors({ origin: process.env.ALLOWED_ORIGIN ?? "http://localhost:5173" }));
app.use(express.json({ limit: "256kb" }));

app.get("/healthz", (_req: Request, res: Response) => {
  res.json({ status: "ok", uptime: Math.round(process.uptime()) });
});

app.use("/api", catalogRouter());

app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
  if (err instanceof ValidationError) {
    res.status(422).json({ error: "validation failed", fields: err.fields });
  } else if (err instanceof NotFoundError) {
    res.status(404).json({ error: err.message });
  } else {
    console.error(err);
    res.status(500).json({ error: "internal error" });
  }
});

app.listen(port, () => {
  console.log(`storefront listening on :${port}`);
});
