pragma solidity ^0.4.24;

contract Points {
    mapping(address => uint256) public points;

    function grant(address to, uint256 amount) public {
        require(amount > 0);
        require(points[to] + amount >= points[to]);
        points[to] += amount;
    }

    function spend(uint256 amount) public {
        require(points[msg.sender] >= amount);
        points[msg.sender] -= amount;
    }
}
