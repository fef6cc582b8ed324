FROM node:22 AS production
COPY . .
RUN npm ci && npm run build
CMD ["npm", "start"]

FROM production AS development
CMD ["npm", "run", "dev"]
