FROM node:20-slim AS build
RUN npm run build
# optimus-expect-next: docker-no-healthcheck
FROM nginx:1.27-alpine
COPY --from=build /dist /usr/share/nginx/html
