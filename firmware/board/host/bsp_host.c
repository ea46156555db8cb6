/* Host (Linux) board: runs firmware apps natively for fast tests of the whole RPC stack.
 *
 * Console: one TCP connection accepted on 127.0.0.1, port ADRT_CONSOLE_PORT or, when unset, a
 * free one; "adrt-host-board: listening on 127.0.0.1:PORT" goes to stderr before accepting.
 * The program ends when the host closes the connection. Counter: CLOCK_MONOTONIC nanoseconds.
 * GPIO: outputs ignored, inputs read 0. Debug text: stderr. */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bsp/bsp.h"

static int s_conn = -1;
static uint8_t s_rx[4096]; /* bytes received and not yet read */
static size_t s_rx_len, s_rx_pos;

static void fail(const char *what) {
    fprintf(stderr, "adrt-host-board: %s: %s\n", what, strerror(errno));
    exit(3);
}

void bsp_init(void) {
    const char *env = getenv("ADRT_CONSOLE_PORT");
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    struct sockaddr_in addr;
    socklen_t addr_len = sizeof addr;
    if (listener < 0) {
        fail("socket");
    }
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons((uint16_t)(env ? atoi(env) : 0));
    if (bind(listener, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(listener, 1) < 0) {
        fail("bind/listen");
    }
    getsockname(listener, (struct sockaddr *)&addr, &addr_len);
    fprintf(stderr, "adrt-host-board: listening on 127.0.0.1:%u\n", ntohs(addr.sin_port));
    fflush(stderr);
    s_conn = accept(listener, NULL, NULL);
    if (s_conn < 0) {
        fail("accept");
    }
    close(listener);
    setsockopt(s_conn, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

const char *bsp_board_name(void) {
    return "host";
}

void bsp_console_write(const void *data, size_t len) {
    const uint8_t *p = (const uint8_t *)data;
    while (len > 0) {
        ssize_t n = send(s_conn, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            bsp_debug_write("adrt-host-board: console closed while writing\n");
            bsp_exit(0);
        }
        p += n;
        len -= (size_t)n;
    }
}

int bsp_console_read(uint8_t *byte, uint64_t timeout_ticks) {
    if (s_rx_pos == s_rx_len) {
        /* Round up so that a short timeout still waits at least a millisecond. */
        int ms = timeout_ticks ? (int)((timeout_ticks + 999999u) / 1000000u) : -1;
        struct pollfd pfd = {s_conn, POLLIN, 0};
        int ready = poll(&pfd, 1, ms);
        if (ready < 0 && errno != EINTR) {
            fail("poll");
        }
        if (ready <= 0) {
            return 0;
        }
        ssize_t n = recv(s_conn, s_rx, sizeof s_rx, 0);
        if (n == 0 || (n < 0 && errno != EINTR)) {
            bsp_debug_write("adrt-host-board: console closed\n");
            bsp_exit(0);
        }
        if (n < 0) {
            return 0;
        }
        s_rx_len = (size_t)n;
        s_rx_pos = 0;
    }
    *byte = s_rx[s_rx_pos++];
    return 1;
}

uint64_t bsp_counter(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint32_t bsp_counter_hz(void) {
    return 1000000000u;
}

void bsp_gpio_write(uint32_t pin, int level) {
    (void)pin;
    (void)level;
}

int bsp_gpio_read(uint32_t pin) {
    (void)pin;
    return 0;
}

void bsp_debug_write(const char *text) {
    fputs(text, stderr);
    fflush(stderr);
}

void bsp_exit(int status) {
    exit(status);
}
