//! An actor: channel hand-offs to the task that owns the other side are not counted; a
//! socket's send, a reply future that is not a channel and unacknowledged calls still are.

use std::net::UdpSocket;
use tokio::sync::{mpsc, oneshot};

pub enum Message {
    Get { reply: oneshot::Sender<u64> },
}

pub struct Handle {
    sender: mpsc::UnboundedSender<Message>,
}

impl Handle {
    pub fn new() -> Self {
        let (sender, mut receiver) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Some(Message::Get { reply }) = receiver.recv().await {
                reply.send(7).unwrap();
            }
        });
        Handle { sender }
    }

    pub async fn get(&self) -> u64 {
        let (reply, answer) = oneshot::channel();
        self.sender.send(Message::Get { reply }).unwrap();
        answer.await.expect("the actor task is alive")
    }

    pub fn ping(socket: &UdpSocket, job: tokio::task::JoinHandle<u8>) {
        socket.send(&[1, 2]).unwrap(); // optimus-expect: unwrap-density
        let _ = job;
    }

    pub async fn join(job: tokio::task::JoinHandle<u8>) -> u8 {
        job.await.unwrap()
    }

    pub fn parse(raw: &str) -> u8 {
        // The config was validated at start-up, so this cannot fail.
        let first: u8 = raw.parse().unwrap();
        let second: u8 = raw.trim().parse().unwrap(); // infallible: digits checked above
        // SAFETY: `raw` is never empty here.
        let third = raw.chars().next().unwrap();
        first + second + third as u8 + raw.len().to_string().parse::<u8>().unwrap()
    }
}
