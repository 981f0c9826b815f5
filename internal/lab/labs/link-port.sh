# link-port: --link wordpressdb:mysql with -p 15530:80
# On the default bridge a --link writes the alias into /etc/hosts; -p publishes
# a host port (DNAT to the container).
docker run -d --name wordpressdb -e MYSQL_ROOT_PASSWORD=password -e MYSQL_DATABASE=wordpress mysql:5.7
docker run -d -e WORDPRESS_DB_PASSWORD=password --name wordpress --link wordpressdb:mysql -p 15530:80 wordpress
